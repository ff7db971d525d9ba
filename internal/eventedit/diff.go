package eventedit

import (
	"encoding/json"
	"strconv"
)

// Change is one changed path: Old is absent (nil) for an added field, New
// for a removed one. Values are compact JSON.
type Change struct {
	Path string          `json:"path" bson:"path"`
	Old  json.RawMessage `json:"old,omitempty" bson:"old,omitempty"`
	New  json.RawMessage `json:"new,omitempty" bson:"new,omitempty"`
}

// Diff lists the paths at which b differs from a, in a's field order and
// then b's new fields. Objects and arrays on both sides are compared
// member by member, so one changed payload field is one change, not the
// whole payload.
func Diff(a, b *Value) []Change {
	var out []Change
	diff("", a, b, &out)
	return out
}

func diff(path string, a, b *Value, out *[]Change) {
	switch {
	case a == nil && b == nil:
	case a == nil:
		*out = append(*out, Change{Path: path, New: b.Compact()})
	case b == nil:
		*out = append(*out, Change{Path: path, Old: a.Compact()})
	case a.Kind == Object && b.Kind == Object:
		for _, k := range a.Keys {
			diff(join(path, k), a.Fields[k], b.Fields[k], out)
		}
		for _, k := range b.Keys {
			if _, ok := a.Fields[k]; !ok {
				diff(join(path, k), nil, b.Fields[k], out)
			}
		}
	case a.Kind == Array && b.Kind == Array:
		for i := 0; i < max(len(a.Items), len(b.Items)); i++ {
			diff(join(path, strconv.Itoa(i)), item(a, i), item(b, i), out)
		}
	case !Equal(a, b):
		*out = append(*out, Change{Path: path, Old: a.Compact(), New: b.Compact()})
	}
}

func item(v *Value, i int) *Value {
	if i < len(v.Items) {
		return v.Items[i]
	}
	return nil
}

func join(path, seg string) string {
	if path == "" {
		return seg
	}
	return path + "." + seg
}

// Short shortens a change's value for a one-line diff; "(absent)" for none.
func Short(v json.RawMessage, width int) string {
	if v == nil {
		return "(absent)"
	}
	s := []rune(string(v))
	if len(s) <= width {
		return string(s)
	}
	return string(s[:width-1]) + "…"
}
