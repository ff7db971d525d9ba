package eventedit

import (
	"fmt"
	"strings"
	"time"
)

// Environments are the platform's Environment enum values.
var Environments = []string{"development", "staging", "production", "test"}

// Problems is every reason an edited event was refused.
type Problems []string

func (p Problems) Error() string {
	if len(p) == 1 {
		return "invalid event: " + p[0]
	}
	return "invalid event:\n  - " + strings.Join(p, "\n  - ")
}

// Validate checks an edited event against the one it was edited from: a
// JSON object whose event_id and event_type are unchanged (they are the
// message's identity and its routing), with the contract's common event
// fields present and of their types, and whose compact encoding is at most
// maxBytes. It returns nil or Problems.
func Validate(orig, edited *Value, maxBytes int) error {
	if edited.Kind != Object {
		return Problems{fmt.Sprintf("want a JSON object, got %s", edited.typeName())}
	}
	var p Problems
	for _, k := range []string{"event_id", "event_type"} {
		was, now := orig.field(k), edited.field(k)
		if was != nil && (now == nil || !Equal(was, now)) {
			p = append(p, fmt.Sprintf("%s must not change (was %s, now %s)", k, was.Raw, show(now)))
		}
	}
	p = append(p, requiredFields(edited)...)
	if n := len(edited.Compact()); n > maxBytes {
		p = append(p, fmt.Sprintf("the encoded event is %d bytes, more than the %d a record may carry", n, maxBytes))
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

func (v *Value) field(k string) *Value {
	if v == nil || v.Kind != Object {
		return nil
	}
	return v.Fields[k]
}

func show(v *Value) string {
	if v == nil {
		return "absent"
	}
	return string(v.Compact())
}

// requiredFields transcribes the contract's common event fields: what the
// platform's event models require of every event they accept.
func requiredFields(ev *Value) Problems {
	var p Problems
	for _, k := range []string{"event_id", "event_type", "event_version"} {
		p = append(p, wantString(ev, k, k)...)
	}
	if ts := ev.field("timestamp"); ts == nil {
		p = append(p, "timestamp is missing")
	} else if s, ok := ts.str(); !ok || !isDate(s) {
		p = append(p, fmt.Sprintf("timestamp must be an RFC 3339 date string, got %s", ts.Compact()))
	}
	if a := ev.field("aggregate_id"); a != nil {
		if _, ok := a.str(); !ok && string(a.Raw) != "null" {
			p = append(p, fmt.Sprintf("aggregate_id must be a string or null, got %s", a.typeName()))
		}
	}
	md := ev.field("metadata")
	if md == nil || md.Kind != Object {
		return append(p, "metadata must be an object with service_name, service_version, user_id and environment")
	}
	for _, k := range []string{"service_name", "service_version", "user_id"} {
		p = append(p, wantString(md, k, "metadata."+k)...)
	}
	p = append(p, wantString(md, "environment", "metadata.environment")...)
	if env, ok := md.field("environment").str(); ok && !oneOf(env, Environments) {
		p = append(p, fmt.Sprintf("metadata.environment must be one of %s, got %q", strings.Join(Environments, ", "), env))
	}
	return p
}

func wantString(obj *Value, key, path string) Problems {
	v := obj.field(key)
	if v == nil {
		return Problems{path + " is missing"}
	}
	if _, ok := v.str(); !ok {
		hint := ""
		if v.Kind == Scalar && v.Raw[0] != 'n' {
			hint = fmt.Sprintf(` (with --set, quote it: %s='"%s"')`, path, v.Raw)
		}
		return Problems{fmt.Sprintf("%s must be a string, got %s%s", path, v.typeName(), hint)}
	}
	return nil
}

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// dateLayouts are the ISO 8601 forms the DLQ ingestion reads as dates (a
// value without a zone is UTC), so what validates here is stored as a date.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

func isDate(s string) bool {
	for _, l := range dateLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return true
		}
	}
	return false
}
