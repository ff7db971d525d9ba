package cmdutil

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// A caller whose context ended while it waited for another caller's dial
// does not dial in turn (a client, monitors and a failed handshake each).
func TestCachedDoesNotDialForAnExpiredCaller(t *testing.T) {
	f := &Factory{}
	var dials atomic.Int32
	entered, release := make(chan struct{}), make(chan struct{})
	conn := cached(f, func(ctx context.Context) (int, error) {
		if dials.Add(1) == 1 {
			close(entered)
			<-release
		}
		return 0, errors.New("unreachable")
	}, func(int) func() { return func() {} })

	first := make(chan error, 1)
	go func() { _, err := conn(context.Background()); first <- err }()
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() { _, err := conn(ctx); second <- err }()
	cancel()
	close(release)
	<-first
	select {
	case err := <-second:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("expired caller: %v, want context.Canceled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("expired caller did not return")
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("%d dials, want 1: the expired caller dialled", n)
	}
}

// A connection made after Close is closed at once, not left open.
func TestOnCloseAfterCloseClosesAtOnce(t *testing.T) {
	f := &Factory{}
	f.Close()
	closed := false
	f.OnClose(func() { closed = true })
	if !closed {
		t.Error("a closer registered after Close never ran")
	}
}
