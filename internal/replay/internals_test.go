package replay

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestOutageOrRejection(t *testing.T) {
	outages := []error{
		kgo.ErrRecordTimeout, kgo.ErrRecordRetries, kerr.NotLeaderForPartition, kerr.RequestTimedOut,
		kerr.NotEnoughReplicas, syscall.ECONNREFUSED, &net.OpError{Op: "dial", Err: syscall.ECONNRESET},
		fmt.Errorf("wrapped: %w", kerr.LeaderNotAvailable),
	}
	for _, err := range outages {
		if !isOutage(err) {
			t.Errorf("%v should be retried as an outage", err)
		}
	}
	rejections := []error{kerr.MessageTooLarge, kerr.UnknownTopicOrPartition, kerr.TopicAuthorizationFailed,
		kerr.InvalidTopicException, errors.New("odd")}
	for _, err := range rejections {
		if isOutage(err) {
			t.Errorf("%v should count against retry_attempts", err)
		}
	}
	if got := errorType(&publishError{topic: "t", err: kerr.MessageTooLarge}); got != "MESSAGE_TOO_LARGE" {
		t.Errorf("errorType = %s", got)
	}
}

// A context error reaching a run that was not stopped is another run's
// (franz-go waits for a new topic under the first waiting record's
// context): it is retried as an outage, not counted against the event.
// A preserved timestamp timed out by a delivery timeout is a rejection.
func TestSendOutageRetriesAnotherRunsCancellation(t *testing.T) {
	for _, err := range []error{context.Canceled, fmt.Errorf("wait for topic: %w", context.DeadlineExceeded), kgo.ErrRecordTimeout} {
		if !sendOutage(err, false) {
			t.Errorf("%v should be retried as an outage", err)
		}
	}
	if sendOutage(kgo.ErrRecordTimeout, true) {
		t.Error("a preserved timestamp's delivery timeout should count against retry_attempts")
	}
	if sendOutage(kerr.MessageTooLarge, false) {
		t.Error("a record the broker refuses should count against retry_attempts")
	}
}

func TestBackoffIsBoundedAndJittered(t *testing.T) {
	for n := range 40 {
		d := backoff(n, 100*time.Millisecond, 2*time.Second)
		if d < 50*time.Millisecond || d > 2*time.Second {
			t.Fatalf("backoff(%d) = %v", n, d)
		}
	}
}

func TestRouterMapsThenPrefixes(t *testing.T) {
	r := router{topics: map[string]string{"pod_created": "pods"}, prefix: "dev_"}
	if r.topic("pod_created") != "pods" || r.topic("user_login") != "dev_user_login" {
		t.Fatal(r.topic("pod_created"), r.topic("user_login"))
	}
}

func TestWindowBoundsCountAndBytes(t *testing.T) {
	w := newWindow(2, 100)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if w.acquire(ctx, 60) != nil || w.acquire(ctx, 60) == nil {
		t.Fatal("the byte budget must block the second 60-byte event")
	}
	w.release(60)
	if w.acquire(context.Background(), 500) != nil {
		t.Fatal("an event larger than the budget passes alone")
	}
	if w.acquire(ctx, 1) == nil || w.inFlight() != 1 {
		t.Fatal("...but nothing passes beside it")
	}
	done := make(chan error, 1)
	go func() { done <- w.idle(context.Background()) }()
	w.release(500)
	if err := <-done; err != nil || w.inFlight() != 0 {
		t.Fatal(err)
	}
}

// The reader takes room while several goroutines give it back, as produce
// promises and retries do: the bound holds and no release is missed. With
// room for one event, the reader waits for every release, and one it
// missed would leave it waiting until the deadline.
func TestWindowUnderConcurrentReleasesNeitherOverfillsNorStalls(t *testing.T) {
	const maxN, events = 1, 50000
	w := newWindow(maxN, 1<<20)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	taken := make(chan int64, maxN)
	for range 3 {
		go func() {
			for b := range taken {
				w.release(b)
			}
		}()
	}
	for i := range events {
		if err := w.acquire(ctx, int64(1+i%7)); err != nil {
			t.Fatalf("event %d: %v (in flight %d)", i, err, w.inFlight())
		}
		if n := w.inFlight(); n > maxN {
			t.Fatalf("%d events in flight, bound %d", n, maxN)
		}
		taken <- int64(1 + i%7)
	}
	close(taken)
	if err := w.idle(ctx); err != nil {
		t.Fatalf("idle: %v (in flight %d)", err, w.inFlight())
	}
	w.mu.Lock()
	left := w.bytes
	w.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d bytes left in flight", left)
	}
}

func TestGateHoldsTheReaderWithinTheReservation(t *testing.T) {
	g := newGate(nil)
	g.raise(10)
	if !g.allows(9) || g.allows(10) {
		t.Fatal("limit 10 allows seq 0..9")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if g.wait(ctx, 10) == nil {
		t.Fatal("wait must block at the limit")
	}
	go g.raise(20)
	if err := g.wait(context.Background(), 10); err != nil {
		t.Fatal(err)
	}
	g.disable()
	if !g.allows(1 << 40) {
		t.Fatal("a disabled gate allows everything")
	}
}

func TestWithSetReplacesKeys(t *testing.T) {
	got := withSet(bson.D{{Key: "a", Value: 1}, {Key: "total_events", Value: 5}}, bson.D{{Key: "total_events", Value: 7}, {Key: "status", Value: "x"}})
	if len(got) != 3 || got[1].Value != 7 || got[2].Key != "status" {
		t.Fatalf("%v", got)
	}
}

func TestReadExt(t *testing.T) {
	raw, _ := bson.Marshal(bson.D{{Key: "replayctl", Value: bson.D{{Key: "in_flight_limit", Value: int32(12)}, {Key: "file_offset", Value: int64(99)}}}})
	e := readExt(raw)
	if e.inFlightLimit != 12 || e.fileOffset == nil || *e.fileOffset != 99 {
		t.Fatalf("%+v", e)
	}
	raw, _ = bson.Marshal(bson.D{{Key: "status", Value: "created"}})
	if e := readExt(raw); e.inFlightLimit != 0 || e.fileOffset != nil {
		t.Fatalf("platform document: %+v", e)
	}
}
