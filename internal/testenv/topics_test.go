package testenv_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/testenv"
)

func TestReadToEndReturnsEveryRecordOfEveryPartitionDuplicatesIncluded(t *testing.T) {
	t.Parallel()
	brokers := testenv.Shared(t).KafkaBrokers()
	a, b := testenv.UniqueName(t, "a"), testenv.UniqueName(t, "b")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := kadm.NewClient(testenv.Kafka(t)).CreateTopics(ctx, 3, 1, nil, a, b); err != nil {
		t.Fatal(err)
	}
	prod := testenv.Kafka(t, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	var recs []*kgo.Record
	for i := range 30 {
		// Every value twice: a reader stopping at 30 records would miss them.
		v := fmt.Sprintf("v%d", i%15)
		recs = append(recs, &kgo.Record{Topic: a, Partition: int32(i % 3), Value: []byte(v)})
	}
	recs = append(recs, &kgo.Record{Topic: b, Partition: 2, Value: []byte("only-b")})
	if err := prod.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}

	if n := testenv.CountRecords(t, brokers, a, b); n != 31 {
		t.Fatalf("CountRecords = %d, want 31", n)
	}
	seen := map[string]int{}
	perPartition := map[string]int{}
	for _, r := range testenv.ReadToEnd(t, brokers, a, b) {
		seen[string(r.Value)]++
		perPartition[fmt.Sprintf("%s/%d", r.Topic, r.Partition)]++
	}
	var want []string
	for i := range 15 {
		want = append(want, fmt.Sprintf("v%d", i))
	}
	want = append(want, "only-b")
	if dups := testenv.AssertEachAtLeastOnce(t, "records", want, seen); dups != 15 {
		t.Errorf("duplicates = %d, want 15", dups)
	}
	for p := range 3 {
		if n := perPartition[fmt.Sprintf("%s/%d", a, p)]; n != 10 {
			t.Errorf("partition %d of %s: %d records, want 10", p, a, n)
		}
	}
}

func TestReadToEndOfAMissingTopicIsEmptyAndCreatesNothing(t *testing.T) {
	t.Parallel()
	brokers := testenv.Shared(t).KafkaBrokers()
	topic := testenv.UniqueName(t, "missing")
	if recs := testenv.ReadToEnd(t, brokers, topic); len(recs) != 0 {
		t.Fatalf("read %d records of a topic that does not exist", len(recs))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	topics, err := kadm.NewClient(testenv.Kafka(t)).ListTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if topics.Has(topic) {
		t.Fatalf("reading created topic %s", topic)
	}
}

func TestWaitRecordsWaitsForLateRecords(t *testing.T) {
	t.Parallel()
	brokers := testenv.Shared(t).KafkaBrokers()
	topic := testenv.UniqueName(t, "late")
	prod := testenv.Kafka(t)
	errc := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for i := range 5 {
			if err := prod.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte{byte(i)}}).FirstErr(); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	recs := testenv.WaitRecords(t, brokers, 5, time.Minute, topic)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 {
		t.Fatalf("WaitRecords returned %d records, want 5", len(recs))
	}
}

// recorder catches what an assertion reports.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestAssertEachOnceNamesMissingDuplicatedAndUnexpectedIDs(t *testing.T) {
	t.Parallel()
	want := []string{"a", "b", "c"}
	rec := &recorder{TB: t}
	if !testenv.AssertEachOnce(rec, "ok", want, map[string]int{"a": 1, "b": 1, "c": 1}) || len(rec.errors) != 0 {
		t.Fatalf("each once reported %v", rec.errors)
	}
	if testenv.AssertEachOnce(rec, "topic x", want, map[string]int{"a": 1, "b": 3, "z": 1}) {
		t.Fatal("missing, duplicated and unexpected ids passed")
	}
	msg := strings.Join(rec.errors, "\n")
	for _, part := range []string{"topic x", "1 missing [c]", "1 duplicated [b×3]", "1 unexpected [z]"} {
		if !strings.Contains(msg, part) {
			t.Errorf("failure message %q lacks %q", msg, part)
		}
	}
}

func TestAssertEachAtLeastOnceCountsDuplicatesAndFailsOnlyOnLoss(t *testing.T) {
	t.Parallel()
	rec := &recorder{TB: t}
	if d := testenv.AssertEachAtLeastOnce(rec, "x", []string{"a", "b"}, map[string]int{"a": 3, "b": 2}); d != 3 || len(rec.errors) != 0 {
		t.Fatalf("duplicates %d, errors %v; want 3 and none", d, rec.errors)
	}
	testenv.AssertEachAtLeastOnce(rec, "x", []string{"a", "b"}, map[string]int{"a": 1})
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "1 missing [b]") {
		t.Fatalf("errors %v; want one naming b as missing", rec.errors)
	}
}
