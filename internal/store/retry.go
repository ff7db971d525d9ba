package store

import (
	"context"
	"time"

	"github.com/integr8scode/replayctl/internal/wait"
)

// WithRetry runs op until it succeeds, fails with a non-retryable error, or
// ctx ends. The embedded server's SQLite returns "database is locked" while
// another writer holds the lock; back-off is the documented remedy.
func WithRetry(ctx context.Context, op func(ctx context.Context) error) error {
	delay := 20 * time.Millisecond
	for {
		err := op(ctx)
		if err == nil || !IsRetryable(err) {
			return err
		}
		if wait.Sleep(ctx, delay) != nil {
			return err
		}
		delay = min(delay*2, time.Second)
	}
}
