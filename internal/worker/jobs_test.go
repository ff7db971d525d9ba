package worker

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// A worker with jobs on picks up a pending job, finishes it, and exports
// replayctl_dlq_jobs{status} and replayctl_dlq_job_messages_total.
func TestWorkerRunsPendingJobAndExportsJobMetrics(t *testing.T) {
	db := testenv.Database(t)
	st := store.FromClient(db.Client(), store.Options{Database: db.Name()})
	prefix := testenv.UniqueName(t, "wj") + "_"
	now := time.Now().UTC().Add(-time.Minute).Truncate(time.Millisecond)
	docs := make([]any, 5)
	for i := range docs {
		docs[i] = bson.D{
			{Key: "event", Value: bson.D{{Key: "event_id", Value: fmt.Sprintf("wj-%d", i)}, {Key: "event_type", Value: "pod_failed"},
				{Key: "event_version", Value: "1.0"}, {Key: "timestamp", Value: now}, {Key: "aggregate_id", Value: nil},
				{Key: "metadata", Value: bson.D{{Key: "service_name", Value: "s"}, {Key: "service_version", Value: "1"}, {Key: "user_id", Value: "u"}, {Key: "environment", Value: "production"}}}}},
			{Key: "original_topic", Value: prefix + "pod_failed"}, {Key: "error", Value: "boom"}, {Key: "retry_count", Value: 0},
			{Key: "failed_at", Value: now}, {Key: "status", Value: "pending"}, {Key: "producer_id", Value: "p"},
			{Key: "created_at", Value: now}, {Key: "headers", Value: bson.D{}},
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if _, err := st.DLQ.Collection().InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	m := &dlq.Manager{Store: st, Kafka: testenv.Kafka(t), TopicPrefix: prefix, DLQTopic: prefix + contract.DefaultDLQTopic, Owner: "w"}
	metrics := NewMetrics()
	svc := &dlqjob.Service{Store: st, DLQ: m, Owner: "w", Metrics: metrics.Jobs()}
	metrics.Registry().MustRegister(NewJobsCollector(svc.CountByStatus, nil))
	j, err := svc.Create(ctx, dlqjob.Spec{Kind: dlqjob.KindRetry, RequestedBy: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	w := &Worker{Jobs: svc, Metrics: metrics, Options: Options{PollInterval: 100 * time.Millisecond}}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	waitFor(t, 60*time.Second, func() bool {
		got, err := svc.Get(ctx, j.ID)
		return err == nil && got.Status == dlqjob.StatusCompleted
	}, "job completed")
	stop()
	if err := <-done; err != nil {
		t.Fatalf("worker: %v", err)
	}
	if v, ok := value(t, metrics.Registry(), "replayctl_dlq_job_messages_total", map[string]string{"kind": "retry", "result": "done"}); !ok || v != 5 {
		t.Fatalf("job messages done = %v (%v)", v, ok)
	}
	if v, ok := value(t, metrics.Registry(), "replayctl_dlq_jobs", map[string]string{"status": "completed"}); !ok || v != 1 {
		t.Fatalf("jobs completed = %v (%v)", v, ok)
	}
	if v, ok := value(t, metrics.Registry(), "replayctl_dlq_jobs", map[string]string{"status": "pending"}); !ok || v != 0 {
		t.Fatalf("jobs pending = %v (%v)", v, ok)
	}
}
