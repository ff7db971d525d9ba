package eventedit

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Set is one --set PATH=VALUE assignment.
type Set struct {
	Path  []string
	Value *Value
}

// ParseSet reads PATH=VALUE. VALUE is taken as JSON when it parses as
// JSON, else as a string, so `--set metadata.user_id=u-1` needs no quotes
// while `--set exit_code=0` stores a number.
func ParseSet(s string) (Set, error) {
	path, value, ok := strings.Cut(s, "=")
	if !ok {
		return Set{}, fmt.Errorf("%q: want PATH=VALUE", s)
	}
	segs := strings.Split(strings.TrimSpace(path), ".")
	for _, seg := range segs {
		if seg == "" {
			return Set{}, fmt.Errorf("%q: empty segment in path %q", s, path)
		}
	}
	v, err := Parse([]byte(value))
	if err != nil {
		v = &Value{Kind: Scalar, Raw: quote(value)}
	}
	return Set{Path: segs, Value: v}, nil
}

// Apply assigns each set in order to root. A missing object key is added
// (with missing intermediate objects); an array index must exist or be the
// array's length, which appends.
func Apply(root *Value, sets []Set) error {
	for _, s := range sets {
		if err := assign(root, s.Path, s.Value); err != nil {
			return fmt.Errorf("--set %s: %w", strings.Join(s.Path, "."), err)
		}
	}
	return nil
}

func assign(cur *Value, path []string, v *Value) error {
	for i, seg := range path {
		last := i == len(path)-1
		switch cur.Kind {
		case Object:
			next, ok := cur.Fields[seg]
			if last {
				if !ok {
					cur.Keys = append(cur.Keys, seg)
				}
				cur.Fields[seg] = v
				return nil
			}
			if !ok {
				next = &Value{Kind: Object, Fields: map[string]*Value{}}
				cur.Keys = append(cur.Keys, seg)
				cur.Fields[seg] = next
			}
			cur = next
		case Array:
			n, err := strconv.Atoi(seg)
			if err != nil || n < 0 || n > len(cur.Items) || (n == len(cur.Items) && !last) {
				return fmt.Errorf("%s: no index %q in an array of %d", strings.Join(path[:i], "."), seg, len(cur.Items))
			}
			if last {
				if n == len(cur.Items) {
					cur.Items = append(cur.Items, v)
				} else {
					cur.Items[n] = v
				}
				return nil
			}
			cur = cur.Items[n]
		default:
			if i == 0 {
				return errors.New("the event is not an object")
			}
			return fmt.Errorf("%s is a %s, not an object or array", strings.Join(path[:i], "."), cur.typeName())
		}
	}
	return nil
}
