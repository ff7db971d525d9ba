package dlq

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
)

// A commit the group rejected is held for the next commit, but only while
// the partition stays ours without a break: once it has been revoked (or
// lost: the same callback), its next owner may have committed further, and
// committing the held offset after the partition comes back would rewind
// the group.
func TestUnackedCommitIsDroppedWhenItsPartitionLeaves(t *testing.T) {
	const topic = "dlq"
	asg := &assignment{parts: map[int32]bool{}}
	r := &runner{asg: asg}
	ctx := context.Background()
	asg.assigned(ctx, nil, map[string][]int32{topic: {0, 1}})
	r.keepUnacked([]*kgo.Record{
		{Topic: topic, Partition: 0, Offset: 4}, {Topic: topic, Partition: 0, Offset: 5},
		{Topic: topic, Partition: 1, Offset: 7},
	})

	asg.revoked(ctx, nil, map[string][]int32{topic: {0}})
	asg.assigned(ctx, nil, map[string][]int32{topic: {0}}) // back before our next commit

	next := &kgo.Record{Topic: topic, Partition: 1, Offset: 9}
	got := r.stillOurs([]*kgo.Record{next})
	if slices.ContainsFunc(got, func(rec *kgo.Record) bool { return rec.Partition == 0 }) {
		t.Errorf("commit %v holds partition 0's offset from before it was revoked", describe(got))
	}
	if !slices.Contains(got, next) || !slices.ContainsFunc(got, func(rec *kgo.Record) bool { return rec.Partition == 1 && rec.Offset == 7 }) {
		t.Errorf("commit %v, want the batch and partition 1's held offset (never revoked)", describe(got))
	}
}

func describe(recs []*kgo.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = fmt.Sprintf("%s/%d@%d", r.Topic, r.Partition, r.Offset)
	}
	return out
}
