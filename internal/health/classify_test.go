package health_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/health"
)

// A count that runs out of time is slowness when MongoDB still answers a
// ping, an outage only when the ping fails too; a refused count is neither.
func TestClassifyCountTellsSlowFromUnreachable(t *testing.T) {
	down := &fault.UnavailableError{Server: fault.MongoDB, Err: errors.New("connection refused")}
	cases := []struct {
		name           string
		pingErr, count error
		want           health.CountState
	}{
		{"count ok", nil, nil, health.CountOK},
		{"ping ok, context deadline", nil, fmt.Errorf("count: %w", context.DeadlineExceeded), health.CountSlow},
		{"ping ok, server maxTimeMS expired", nil, mongo.CommandError{Code: 50, Name: "MaxTimeMSExpired"}, health.CountSlow},
		{"ping ok, timeout as store.Wrap reports it", nil, fmt.Errorf("count dlq_messages: %w",
			&fault.UnavailableError{Server: fault.MongoDB, Err: errors.New("no answer before the timeout")}), health.CountSlow},
		{"ping fails after a timeout", down, context.DeadlineExceeded, health.CountUnreachable},
		{"count refused", nil, mongo.CommandError{Code: 13, Name: "Unauthorized"}, health.CountFailed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := health.ClassifyCount(c.pingErr, c.count); got != c.want {
				t.Errorf("ClassifyCount(%v, %v) = %d, want %d", c.pingErr, c.count, got, c.want)
			}
		})
	}
}
