// Package contracttest checks what replayctl writes against the data
// contract (shared/CONTRACT.md): every required field of a record kind must
// be present with one of the contract's types, so a field the code forgets
// or writes with the wrong type fails a test, not a platform consumer.
//
// A Schema describes one record kind; Check applies it to a stored BSON
// document or to a JSON record value. The schemas here are written from the
// contract, not from the code under test.
package contracttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Type is a contract type, as BSON stores it or JSON carries it.
type Type string

const (
	String Type = "string"
	// Int is a BSON int32/int64, or a JSON number without a fraction.
	Int Type = "int"
	// Number is any BSON or JSON number.
	Number Type = "number"
	Bool   Type = "bool"
	// Date is a BSON datetime, or in JSON an RFC 3339 string with a zone.
	Date Type = "date"
	// UUID is a string in the 8-4-4-4-12 hex form.
	UUID   Type = "uuid"
	Object Type = "object"
	Array  Type = "array"
	// StringMap is an object whose every value is a string.
	StringMap Type = "map<string,string>"
	// StringArray is an array whose every element is a string.
	StringArray Type = "array<string>"
	Null        Type = "null"
)

// Field is one required field: Path is dotted for nested fields, Types are
// the types the contract allows (Null among them when it may be null), and
// OneOf, when set, lists the allowed string values.
type Field struct {
	Path  string
	Types []Type
	OneOf []string
}

// F builds a Field.
func F(path string, types ...Type) Field { return Field{Path: path, Types: types} }

// Enum builds a string Field restricted to values.
func Enum(path string, values ...string) Field {
	return Field{Path: path, Types: []Type{String}, OneOf: values}
}

// Schema is a record kind's required fields.
type Schema struct {
	Name   string
	Fields []Field
	// Absent are top-level fields the record must not carry.
	Absent []string
}

// With returns a copy of s named name with more fields.
func (s Schema) With(name string, more ...Field) Schema {
	return Schema{Name: name, Fields: append(append([]Field(nil), s.Fields...), more...), Absent: s.Absent}
}

// CheckBSON returns one error per contract violation of doc.
func CheckBSON(s Schema, doc bson.Raw) []error {
	var errs []error
	for _, f := range s.Fields {
		v, err := doc.LookupErr(strings.Split(f.Path, ".")...)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: missing required field %s", s.Name, f.Path))
			continue
		}
		if err := f.checkBSON(v); err != nil {
			errs = append(errs, fmt.Errorf("%s: field %s: %w", s.Name, f.Path, err))
		}
	}
	for _, k := range s.Absent {
		if _, err := doc.LookupErr(k); err == nil {
			errs = append(errs, fmt.Errorf("%s: carries %s, which the contract leaves out", s.Name, k))
		}
	}
	return errs
}

// CheckJSON returns one error per contract violation of a JSON object.
func CheckJSON(s Schema, value []byte) []error {
	dec := json.NewDecoder(bytes.NewReader(value))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return []error{fmt.Errorf("%s: not a JSON object: %w", s.Name, err)}
	}
	var errs []error
	for _, f := range s.Fields {
		v, ok := lookupJSON(doc, f.Path)
		if !ok {
			errs = append(errs, fmt.Errorf("%s: missing required field %s", s.Name, f.Path))
			continue
		}
		if err := f.checkJSON(v); err != nil {
			errs = append(errs, fmt.Errorf("%s: field %s: %w", s.Name, f.Path, err))
		}
	}
	for _, k := range s.Absent {
		if _, ok := doc[k]; ok {
			errs = append(errs, fmt.Errorf("%s: carries %s, which the contract leaves out", s.Name, k))
		}
	}
	return errs
}

func lookupJSON(doc map[string]any, path string) (any, bool) {
	var cur any = doc
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func (f Field) checkBSON(v bson.RawValue) error {
	for _, t := range f.Types {
		if bsonIs(t, v) {
			return f.checkEnum(v.StringValueOK())
		}
	}
	return fmt.Errorf("BSON %s %s, want %s", v.Type, short(v.String()), f.types())
}

func (f Field) checkJSON(v any) error {
	for _, t := range f.Types {
		if jsonIs(t, v) {
			s, ok := v.(string)
			return f.checkEnum(s, ok)
		}
	}
	return fmt.Errorf("JSON %T %s, want %s", v, short(fmt.Sprint(v)), f.types())
}

func (f Field) checkEnum(s string, isString bool) error {
	if len(f.OneOf) == 0 || !isString {
		return nil
	}
	for _, want := range f.OneOf {
		if s == want {
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %s", s, strings.Join(f.OneOf, ", "))
}

func (f Field) types() string {
	s := make([]string, len(f.Types))
	for i, t := range f.Types {
		s[i] = string(t)
	}
	return strings.Join(s, " or ")
}

func short(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

func bsonIs(t Type, v bson.RawValue) bool {
	switch t {
	case String:
		return v.Type == bson.TypeString
	case UUID:
		s, ok := v.StringValueOK()
		return ok && isUUID(s)
	case Int:
		return v.Type == bson.TypeInt32 || v.Type == bson.TypeInt64
	case Number:
		return v.Type == bson.TypeInt32 || v.Type == bson.TypeInt64 || v.Type == bson.TypeDouble
	case Bool:
		return v.Type == bson.TypeBoolean
	case Date:
		return v.Type == bson.TypeDateTime
	case Object:
		return v.Type == bson.TypeEmbeddedDocument
	case Array:
		return v.Type == bson.TypeArray
	case Null:
		return v.Type == bson.TypeNull
	case StringMap:
		d, ok := v.DocumentOK()
		return ok && allStrings(d)
	case StringArray:
		a, ok := v.ArrayOK()
		return ok && allStrings(bson.Raw(a))
	}
	return false
}

func allStrings(d bson.Raw) bool {
	elems, err := d.Elements()
	if err != nil {
		return false
	}
	for _, e := range elems {
		if e.Value().Type != bson.TypeString {
			return false
		}
	}
	return true
}

func jsonIs(t Type, v any) bool {
	switch t {
	case String:
		_, ok := v.(string)
		return ok
	case UUID:
		s, ok := v.(string)
		return ok && isUUID(s)
	case Int:
		n, ok := v.(json.Number)
		_, err := n.Int64()
		return ok && err == nil
	case Number:
		_, ok := v.(json.Number)
		return ok
	case Bool:
		_, ok := v.(bool)
		return ok
	case Date:
		s, ok := v.(string)
		if !ok {
			return false
		}
		_, err := time.Parse(time.RFC3339Nano, s)
		return err == nil
	case Object:
		_, ok := v.(map[string]any)
		return ok
	case Array:
		_, ok := v.([]any)
		return ok
	case Null:
		return v == nil
	case StringMap:
		m, ok := v.(map[string]any)
		for _, e := range m {
			if _, s := e.(string); !s {
				return false
			}
		}
		return ok
	case StringArray:
		a, ok := v.([]any)
		for _, e := range a {
			if _, s := e.(string); !s {
				return false
			}
		}
		return ok
	}
	return false
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}
