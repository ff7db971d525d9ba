package flagvalue

import (
	"slices"
	"strings"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/exitcode"
)

// List cleans the values of a repeatable, comma-separated flag (cobra's
// StringSlice has already split them): each is trimmed, an empty one is a
// usage error (a stray comma usually means a value went missing), and
// repeats are dropped, keeping the first.
func List(flag string, values []string) ([]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(values))
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" {
			return nil, Invalid(flag, strings.Join(values, ","), "empty element; give names separated by commas")
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// Choice reads one value from a closed set, case-insensitively, and
// returns it in the set's spelling.
func Choice(flag, s string, valid []string) (string, error) {
	want := strings.ToLower(strings.TrimSpace(s))
	for _, v := range valid {
		if strings.ToLower(v) == want {
			return v, nil
		}
	}
	return "", Invalid(flag, s, "want one of "+strings.Join(valid, ", "))
}

// Choices is List where every element is a Choice.
func Choices(flag string, values, valid []string) ([]string, error) {
	list, err := List(flag, values)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	out := make([]string, 0, len(list))
	for _, v := range list {
		c, err := Choice(flag, v, valid)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// AllowUnknownTypeFlag is the flag (and spec key allow_unknown_type) by which
// an operator says an event type missing from the contract's list is meant.
const AllowUnknownTypeFlag = "allow-unknown-type"

// EventTypes is List for event types: a type missing from the contract's
// list is refused as a typo, with the nearest known types suggested, unless
// allowUnknown (the operator passed --allow-unknown-type).
func EventTypes(flag string, values []string, allowUnknown bool) ([]string, error) {
	list, err := List(flag, values)
	if err != nil || allowUnknown {
		return list, err
	}
	for _, t := range list {
		if contract.IsKnownEventType(t) {
			continue
		}
		want := "unknown event type"
		if near := contract.ClosestEventTypes(t, 3); len(near) > 0 {
			want += "; did you mean " + strings.Join(near, ", ") + "?"
		}
		return nil, exitcode.WithHint(Invalid(flag, t, want),
			"pass --"+AllowUnknownTypeFlag+" (allow_unknown_type: true in a spec file) if the type is newer than replayctl's list")
	}
	return list, nil
}
