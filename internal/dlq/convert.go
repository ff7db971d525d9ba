package dlq

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Date fields the platform's models declare as datetimes: their JSON strings
// become BSON dates as pydantic + pymongo would store them. Any other string
// stays a string, however date-like, so payloads keep their types.
var (
	eventDateFields  = map[string]bool{"timestamp": true, "stored_at": true, "ttl_expires_at": true}
	recordDateFields = map[string]bool{
		"failed_at": true, "created_at": true, "last_updated": true,
		"next_retry_at": true, "retried_at": true, "discarded_at": true,
	}
)

// errNotObject marks a JSON value that is not an object where one is needed.
var errNotObject = errors.New("not a JSON object")

// decodeRecordJSON parses a DLQ topic record value into an ordered document:
// record-level date fields and the event's date fields become BSON dates,
// integers become int32 when they fit (as pymongo stores Python ints) or
// int64, other numbers doubles; key order is kept.
func decodeRecordJSON(value []byte) (bson.D, error) {
	dec := json.NewDecoder(bytes.NewReader(value))
	dec.UseNumber()
	doc, err := decodeTop(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("trailing data after the JSON object")
	}
	return doc, nil
}

func decodeTop(dec *json.Decoder) (bson.D, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errNotObject
	}
	return decodeObject(dec, levelRecord)
}

// level is where an object sits, which decides its date fields.
type level int

const (
	levelPlain  level = iota // payload: no conversion
	levelRecord              // the DLQ record
	levelEvent               // the record's event
)

func (l level) dates() map[string]bool {
	switch l {
	case levelRecord:
		return recordDateFields
	case levelEvent:
		return eventDateFields
	}
	return nil
}

// child is the level of an object value under key.
func (l level) child(key string) level {
	if l == levelRecord && key == "event" {
		return levelEvent
	}
	return levelPlain
}

func decodeObject(dec *json.Decoder, lv level) (bson.D, error) {
	doc := bson.D{}
	dates := lv.dates()
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("object key is %T", tok)
		}
		v, err := decodeValue(dec, dates[key], lv.child(key))
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", key, err)
		}
		doc = append(doc, bson.E{Key: key, Value: v})
	}
	if _, err := dec.Token(); err != nil { // closing brace
		return nil, err
	}
	return doc, nil
}

func decodeValue(dec *json.Decoder, isDate bool, inner level) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return decodeObject(dec, inner)
		case '[':
			return decodeArray(dec)
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		if isDate {
			return epochDate(t)
		}
		return jsonNumber(t)
	case string:
		if isDate {
			if d, ok := parseDate(t); ok {
				return d, nil
			}
		}
		return t, nil
	case bool:
		return t, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

func decodeArray(dec *json.Decoder) (bson.A, error) {
	arr := bson.A{}
	for dec.More() {
		v, err := decodeValue(dec, false, levelPlain)
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
	}
	if _, err := dec.Token(); err != nil { // closing bracket
		return nil, err
	}
	return arr, nil
}

// jsonNumber maps a JSON number to what pymongo stores for the Python value:
// int32 when it fits, int64, else a double.
func jsonNumber(n json.Number) (any, error) {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			if i >= math.MinInt32 && i <= math.MaxInt32 {
				return int32(i), nil
			}
			return i, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("number %s: %w", s, err)
	}
	return f, nil
}

// epochDate reads a number in a date field as pydantic does: Unix seconds,
// or milliseconds when its magnitude exceeds 2e10.
func epochDate(n json.Number) (any, error) {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return nil, fmt.Errorf("date %s: %w", n, err)
	}
	if math.Abs(f) <= 2e10 {
		f *= 1000
	}
	return bson.DateTime(int64(math.Round(f))), nil
}

// dateLayouts are the ISO 8601 forms Python's isoformat and pydantic emit;
// a value without a zone is UTC, as the platform writes naive UTC times.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// parseDate parses an ISO 8601 date into a BSON date (millisecond precision).
func parseDate(s string) (bson.DateTime, bool) {
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return bson.NewDateTimeFromTime(t), true
		}
	}
	return 0, false
}
