package store

import (
	"context"
	"time"
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
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		delay = min(delay*2, time.Second)
	}
}
