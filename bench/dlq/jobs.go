package main

import (
	"context"
	"fmt"
	"math"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/dlqjob"
)

// jobs compares a redrive job's throughput with a foreground `dlq retry`
// of the same messages, in one run: two databases seeded alike, the
// foreground retry over one, a job (create + run) over the other. Sized
// like the retry phase: shrunk until the raw update floor takes about
// cfg.floor (EMBEDDED.md), because both are bound by FerretDB's status
// updates.
func (b *bench) jobs(ctx context.Context, cfg config) error {
	phase("jobs: measuring the update cost at %d documents", cfg.calibrateN)
	perDocScan, err := b.calibrate(ctx, cfg.calibrateN)
	if err != nil {
		return err
	}
	n := cfg.retry
	if est := perDocScan * float64(n) * float64(n); est > cfg.floor.Seconds() {
		n = int(math.Sqrt(cfg.floor.Seconds() / perDocScan))
	}
	phase("jobs: %.1f µs per updated document per stored document; using %d messages", perDocScan*1e6, n)
	ss := samples(n, time.Now().UTC(), "job_")
	fg := b.manager("bench_jobs_fg", "jobfg_")
	jm := b.manager("bench_jobs_job", "jobjob_")
	for _, m := range []*dlq.Manager{fg, jm} {
		if err := m.EnsureIndexes(ctx); err != nil {
			return err
		}
		docs := make([]any, len(ss))
		for i, s := range ss {
			docs[i] = s.doc("scheduled", time.Now().UTC().Add(-time.Minute), i)
		}
		if _, err := m.Store.DLQ.Collection().InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}

	phase("jobs: foreground dlq retry --all of %d messages", n)
	start := time.Now()
	plan, err := fg.PlanByFilter(ctx, dlq.ListFilter{Statuses: []contract.DLQStatus{contract.DLQScheduled}}, "")
	if err != nil {
		return err
	}
	out, err := fg.Retry(ctx, plan, dlq.BatchOptions{})
	if err != nil {
		return err
	}
	fgTook := time.Since(start)

	phase("jobs: redrive job (create + run) of %d messages", n)
	svc := &dlqjob.Service{Store: jm.Store, DLQ: jm, Owner: "bench"}
	start = time.Now()
	j, err := svc.Create(ctx, dlqjob.Spec{Kind: dlqjob.KindRetry, RequestedBy: "bench"})
	if err != nil {
		return err
	}
	j, err = svc.Run(ctx, j.ID, dlqjob.RunOptions{})
	if err != nil {
		return err
	}
	jobTook := time.Since(start)
	if out.Succeeded != int64(n) || j.Done != int64(n) {
		return fmt.Errorf("foreground retried %d, job %d, of %d", out.Succeeded, j.Done, n)
	}
	fgRate, jobRate := rate(n, fgTook), rate(n, jobTook)
	fmt.Printf("Redrive job vs foreground retry, %d messages each (sized for a ~%s raw update floor):\n", n, cfg.floor)
	fmt.Printf("  foreground dlq retry: %8s  %7.1f msg/s\n", fgTook.Round(time.Millisecond), fgRate)
	fmt.Printf("  redrive job:          %8s  %7.1f msg/s  (%.2fx of foreground; a checkpoint per chunk)\n\n",
		jobTook.Round(time.Millisecond), jobRate, jobRate/fgRate)
	return nil
}
