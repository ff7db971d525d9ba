package dlq

import (
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
	p := &jsonParser{s: value}
	if c := p.peek(); c != '{' {
		if c == 0 {
			return nil, p.errorf("empty value")
		}
		if _, err := p.value(false, levelPlain); err != nil {
			return nil, err
		}
		return nil, errNotObject
	}
	doc, err := p.object(levelRecord)
	if err != nil {
		return nil, err
	}
	if p.peek() != 0 {
		return nil, p.errorf("trailing data after the JSON object")
	}
	return doc, nil
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

// jsonNumber maps a JSON number to what pymongo stores for the Python value:
// int32 when it fits, int64, else a double.
func jsonNumber(s string) (any, error) {
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
func epochDate(n string) (any, error) {
	f, err := strconv.ParseFloat(n, 64)
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
