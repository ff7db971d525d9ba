package dlq

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// Two processors (two Managers, two goroutines each) racing RetryDue send
// every due message exactly once.
func TestRetryDueRaceSendsOnce(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	topic := e.topic("user_login")
	const n = 30
	for i := range n {
		e.insertPlatformDoc(fmt.Sprintf("due-%02d", i), "user_login", topic, contract.DLQScheduled, 1, at, "boom", at)
	}
	e.insertPlatformDoc("later", "user_login", topic, contract.DLQScheduled, 1, at, "boom", time.Now().Add(time.Hour))
	managers := []*Manager{e.manager("proc-a"), e.manager("proc-b")}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var total int64
	errs := make(chan error, 4)
	for i := range 4 {
		wg.Add(1)
		go func(m *Manager) {
			defer wg.Done()
			got, err := m.RetryDue(ctx)
			if err != nil {
				errs <- err
			}
			mu.Lock()
			total += got
			mu.Unlock()
		}(managers[i%2])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("RetryDue: %v", err)
	}
	if total != n {
		t.Errorf("retried %d in total, want %d", total, n)
	}
	perKey := map[string]int{}
	for _, r := range readTopic(t, topic, n) {
		perKey[string(r.Key)]++
	}
	due := make([]string, n)
	for i := range due {
		due[i] = fmt.Sprintf("due-%02d", i)
	}
	testenv.AssertEachOnce(t, "sent to "+topic, due, perKey)
	if got := e.count("dlq_messages", bson.D{{Key: "status", Value: "retried"}, {Key: "retry_count", Value: 2}}); got != n {
		t.Errorf("%d messages retried with retry_count 2, want %d", got, n)
	}
	if e.loadMsg("later").Status != contract.DLQScheduled {
		t.Error("a message not yet due was retried")
	}
}

// An operator's plan made before a processor retried the messages cannot
// send them again: while the processor's claims are live they are held, and
// after they expire the re-read shows them retried.
func TestStalePlanRacingProcessor(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	topic := e.topic("user_login")
	for i := range 5 {
		e.insertPlatformDoc(fmt.Sprintf("s-%d", i), "user_login", topic, contract.DLQScheduled, 0, at, "boom", at)
	}
	operator, processor := e.manager("operator"), e.manager("processor")
	plan, err := operator.PlanByFilter(ctx, ListFilter{Statuses: []contract.DLQStatus{contract.DLQScheduled}}, "")
	if err != nil || len(plan.Messages) != 5 {
		t.Fatalf("plan = %+v, %v", plan, err)
	}
	if n, err := processor.RetryDue(ctx); err != nil || n != 5 {
		t.Fatalf("processor retried %d, %v", n, err)
	}
	res, err := operator.Retry(ctx, plan, BatchOptions{})
	if err != nil || res.Succeeded != 0 || res.Refused != 5 {
		t.Errorf("stale plan, live claims: %+v, %v", res, err)
	}
	late := e.manager("late-operator")
	late.Now = func() time.Time { return time.Now().Add(time.Hour) } // every claim has expired
	res, err = late.Retry(ctx, plan, BatchOptions{})
	if err != nil || res.Succeeded != 0 || res.Refused != 5 || res.Refusals[0].Reason != "already retried" {
		t.Errorf("stale plan, expired claims: %+v, %v", res, err)
	}
	if got := e.countTopic(topic); got != 5 {
		t.Errorf("%d records on %s, want 5", got, topic)
	}
}

// claimAll under contention: many goroutines claim the same rounds; each
// round has exactly one holder.
func TestClaimsExclusive(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	ids := []string{"c-1", "c-2", "c-3", "c-4", "c-5"}
	rounds := []int64{0, 0, 1, 1, 2}
	var wg sync.WaitGroup
	var mu sync.Mutex
	holders := map[string]int{}
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := e.manager(fmt.Sprintf("g-%d", g))
			set, err := m.claimAll(context.WithoutCancel(ctx), ids, rounds, purposeRetry)
			if err != nil {
				t.Errorf("claim: %v", err)
				return
			}
			mu.Lock()
			for k := range set.held {
				holders[k]++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(holders) != len(ids) {
		t.Errorf("claimed keys %v", holders)
	}
	for k, n := range holders {
		if n != 1 {
			t.Errorf("%s held by %d claimers", k, n)
		}
	}
}
