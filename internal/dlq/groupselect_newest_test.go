package dlq

import (
	"reflect"
	"testing"
	"time"
)

// newestMembers keeps the n newest failures whatever order they arrive in,
// newest first, ties broken by event id (descending).
func TestNewestMembersKeepsTheNewestN(t *testing.T) {
	base := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	k := newestMembers{n: 3}
	for i, off := range []int{5, 1, 9, 3, 9, 7, 2} {
		k.add(groupMemberRef{eventID: string(rune('a' + i)), failedAt: base.Add(time.Duration(off) * time.Minute)})
	}
	// offsets: a5 b1 c9 d3 e9 f7 g2 -> newest: e9, c9 (e > c), f7
	if got, want := k.ids(), []string{"e", "c", "f"}; !reflect.DeepEqual(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
	if got := (&newestMembers{n: 2}).ids(); len(got) != 0 {
		t.Errorf("empty keeper: %v", got)
	}
}
