package kafka

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// A client built for the CLI keeps its short --timeout for one-shot requests
// but gives a group member's requests franz-go's own retry budgets, so a
// consumer rides out a broker roll longer than the CLI timeout.
func TestGroupRequestsKeepFranzGoRetryBudgets(t *testing.T) {
	cl, err := NewClient(Options{Brokers: []string{"127.0.0.1:1"}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	fn, ok := cl.OptValue(kgo.RetryTimeoutFn).(func(int16) time.Duration)
	if !ok {
		t.Fatalf("RetryTimeoutFn is %T", cl.OptValue(kgo.RetryTimeoutFn))
	}
	cases := []struct {
		key  kmsg.Key
		want time.Duration
	}{
		{kmsg.JoinGroup, 45 * time.Second},
		{kmsg.SyncGroup, 45 * time.Second},
		{kmsg.Heartbeat, 45 * time.Second},
		{kmsg.ConsumerGroupHeartbeat, 45 * time.Second},
		{kmsg.OffsetCommit, 30 * time.Second},
		{kmsg.OffsetFetch, 30 * time.Second},
		{kmsg.FindCoordinator, 30 * time.Second},
		{kmsg.LeaveGroup, 30 * time.Second},
		{kmsg.Metadata, 2 * time.Second},
		{kmsg.ApiVersions, 2 * time.Second},
		{kmsg.ListOffsets, 2 * time.Second},
		{kmsg.DescribeGroups, 2 * time.Second},
		{kmsg.CreateTopics, 2 * time.Second},
	}
	for _, c := range cases {
		if got := fn(c.key.Int16()); got != c.want {
			t.Errorf("retry timeout of %s = %s, want %s", c.key.Name(), got, c.want)
		}
	}
}

// A --timeout longer than franz-go's budget is never shortened for groups.
func TestRetryTimeoutNeverBelowTheCLITimeout(t *testing.T) {
	fn := retryTimeout(2 * time.Minute)
	for _, k := range []kmsg.Key{kmsg.JoinGroup, kmsg.OffsetCommit, kmsg.Metadata} {
		if got := fn(k.Int16()); got != 2*time.Minute {
			t.Errorf("retry timeout of %s = %s, want 2m0s", k.Name(), got)
		}
	}
}
