package contract

import (
	"encoding/binary"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// FieldProblem is one field of a stored document that could not be read.
type FieldProblem struct {
	Field string `json:"field"`
	Error string `json:"error"`
}

// ErrMissingSessionID marks a replay_sessions document without a string
// session_id: nothing can address it, so listings skip it.
var ErrMissingSessionID = errors.New("session_id is missing or not a string")

// CheckSession rejects a decoded session that no command could address.
func CheckSession(s *Session) error {
	if s.SessionID == "" {
		return ErrMissingSessionID
	}
	return nil
}

// DecodeLenient decodes raw into v one top-level field at a time, so a
// field of the wrong type costs only that field; v keeps what could be
// read. prefix names the sub-document in the problems ("config.").
func DecodeLenient(raw bson.Raw, v any, prefix string) []FieldProblem {
	elems, err := raw.Elements()
	if err != nil {
		return []FieldProblem{{Field: prefix + "(document)", Error: err.Error()}}
	}
	var problems []FieldProblem
	for _, el := range elems {
		if err := bson.Unmarshal(singleField(el), v); err != nil {
			problems = append(problems, FieldProblem{Field: prefix + el.Key(), Error: cleanDecodeError(err)})
		}
	}
	return problems
}

func singleField(el bson.RawElement) bson.Raw {
	doc := binary.LittleEndian.AppendUint32(make([]byte, 0, len(el)+5), uint32(len(el)+5))
	doc = append(doc, el...)
	return append(doc, 0)
}

// cleanDecodeError drops the driver's "error decoding key x: " preamble,
// which the problem's field already says.
func cleanDecodeError(err error) string {
	var de *bson.DecodeError
	if errors.As(err, &de) && de.Unwrap() != nil {
		return de.Unwrap().Error()
	}
	return err.Error()
}

// DecodeSessionLenient reads what it can of a replay_sessions document and
// names the fields it could not read, for `show` of a document other
// software wrote. Sub-documents config and config.filter are read field by
// field too.
func DecodeSessionLenient(raw bson.Raw) (Session, []FieldProblem) {
	var s Session
	var problems []FieldProblem
	for _, p := range DecodeLenient(raw, &s, "") {
		if p.Field == "config" {
			if sub, ok := raw.Lookup("config").DocumentOK(); ok {
				problems = append(problems, decodeConfigLenient(sub, &s.Config)...)
				continue
			}
		}
		problems = append(problems, p)
	}
	if v, err := raw.LookupErr("session_id"); err != nil {
		problems = append(problems, FieldProblem{Field: "session_id", Error: "missing"})
	} else if _, ok := v.StringValueOK(); !ok && !hasProblem(problems, "session_id") {
		problems = append(problems, FieldProblem{Field: "session_id", Error: fmt.Sprintf("is a %s, not a string", v.Type)})
	}
	return s, problems
}

func decodeConfigLenient(raw bson.Raw, c *SessionConfig) []FieldProblem {
	var problems []FieldProblem
	for _, p := range DecodeLenient(raw, c, "config.") {
		if p.Field == "config.filter" {
			if sub, ok := raw.Lookup("filter").DocumentOK(); ok {
				problems = append(problems, DecodeLenient(sub, &c.Filter, "config.filter.")...)
				continue
			}
		}
		problems = append(problems, p)
	}
	return problems
}

func hasProblem(ps []FieldProblem, field string) bool {
	for _, p := range ps {
		if p.Field == field {
			return true
		}
	}
	return false
}

// DecodeDLQLenient reads what it can of a dlq_messages document and names
// the fields it could not read.
func DecodeDLQLenient(raw bson.Raw) (DLQMessage, []FieldProblem) {
	var m DLQMessage
	problems := DecodeLenient(raw, &m, "")
	if !hasProblem(problems, "event") {
		if m.Event == nil {
			problems = append(problems, FieldProblem{Field: "event", Error: "missing"})
		} else if m.EventID() == "" {
			problems = append(problems, FieldProblem{Field: "event.event_id", Error: "missing or not a string"})
		}
	}
	m.FailedAt, m.CreatedAt = m.FailedAt.UTC(), m.CreatedAt.UTC()
	return m, problems
}
