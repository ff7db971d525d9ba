package eventedit

import (
	"testing"
)

// FuzzEditedEvent feeds arbitrary text through what `dlq edit` does with an
// operator's file: parse, validate against a fixed original, diff. None of
// it may panic; whatever parses must survive a render-and-parse round trip
// unchanged, and an event that validates must diff cleanly against itself.
func FuzzEditedEvent(f *testing.F) {
	f.Add([]byte(origJSON))
	f.Add([]byte(`{"event_id":"e-1"}`))
	f.Add([]byte(`[{"a":[1,2,{"b":null}]}]`))
	f.Add([]byte(`{"a":"\u003c\ud800"}`))
	f.Add([]byte(`1e400`))
	orig, err := Parse([]byte(origJSON))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data)
		if err != nil {
			return
		}
		again, err := Parse(v.Indent())
		if err != nil {
			t.Fatalf("rendered value does not parse: %v\n%s", err, v.Indent())
		}
		if !Equal(v, again) {
			t.Fatalf("round trip changed the value:\n%s\n%s", v.Compact(), again.Compact())
		}
		_ = Diff(orig, v)
		if Validate(orig, v, 1<<20) == nil && len(Diff(v, again)) != 0 {
			t.Fatalf("valid event differs from itself")
		}
	})
}
