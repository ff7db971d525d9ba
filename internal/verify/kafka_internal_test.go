package verify

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/kafka"
	"github.com/integr8scode/replayctl/internal/replay"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// A partition whose last offset is a transaction's commit marker (which
// a consumer does not see as a record by default) is read to its end
// offset and finishes: the marker counts toward progress, not as a record.
func TestReadRangesFinishesAtATransactionMarker(t *testing.T) {
	c := testenv.StrictKafka(t, 1, "tx")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	prod, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.TransactionalID("verify-test"), kgo.DefaultProduceTopic("tx"))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	if err := prod.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	rec := &kgo.Record{Value: []byte(`{"event_id":"e1"}`), Headers: []kgo.RecordHeader{{Key: replay.HeaderSessionID, Value: []byte("s1")}}}
	if err := prod.ProduceSync(ctx, rec).FirstErr(); err != nil {
		t.Fatal(err)
	}
	if err := prod.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatal(err)
	}
	ends, err := kafka.EndOffsets(ctx, prod, []string{"tx"})
	if err != nil || len(ends) != 1 || ends[0].Partitions[0].Offset != 2 {
		t.Fatalf("want end offset 2 (the record, then the marker): %+v %v", ends, err)
	}

	s := &Service{Consumer: func(opts ...kgo.Opt) (*kgo.Client, error) {
		return kgo.NewClient(append(opts, kgo.SeedBrokers(c.ListenAddrs()...))...)
	}}
	set := newIDSet(1)
	set.add("e1")
	set.seal()
	tl := newTally(set)
	var scanned atomic.Int64
	rctx, rcancel := context.WithTimeout(ctx, 20*time.Second)
	defer rcancel()
	if err := s.readRanges(rctx, []Source{{Topic: "tx", Partition: 0, From: 0, To: 2}}, []byte("s1"), tl, &scanned, func(w string) { t.Log(w) }); err != nil {
		t.Fatalf("the partition never finished: %v", err)
	}
	if n := tl.records.Load(); n != 1 {
		t.Errorf("%d records of the session, want 1 (the marker is not one)", n)
	}
}

// A range whose records were deleted before verify read them finishes
// with a warning naming the partition, instead of polling until --max-time.
func TestReadRangesFinishesARangeWhoseRecordsAreGone(t *testing.T) {
	c := testenv.StrictKafka(t, 1, "gone")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.DefaultProduceTopic("gone"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for range 3 {
		if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte(`{"event_id":"e1"}`)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	deleted, err := kadm.NewClient(cl).DeleteRecords(ctx, kadm.Offsets{"gone": {0: kadm.Offset{Topic: "gone", Partition: 0, At: 3}}})
	if err != nil || deleted.Error() != nil {
		t.Fatalf("delete records: %v %v", err, deleted.Error())
	}
	s := &Service{Consumer: func(opts ...kgo.Opt) (*kgo.Client, error) {
		return kgo.NewClient(append(opts, kgo.SeedBrokers(c.ListenAddrs()...))...)
	}}
	set := newIDSet(1)
	set.add("e1")
	set.seal()
	var (
		scanned  atomic.Int64
		warnings []string
	)
	rctx, rcancel := context.WithTimeout(ctx, 40*time.Second)
	defer rcancel()
	err = s.readRanges(rctx, []Source{{Topic: "gone", Partition: 0, From: 0, To: 3}}, []byte("s1"), newTally(set), &scanned, func(w string) { warnings = append(warnings, w) })
	if err != nil {
		t.Fatalf("the partition never finished: %v", err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "gone[0]") {
		t.Errorf("want one warning naming gone[0], got %q", warnings)
	}
}

// A partition whose offsets cannot be listed fails verify as unavailable
// (exit 5) after a retry, instead of being left out and its events
// reported missing.
func TestListOffsetsFailsOnAPartitionError(t *testing.T) {
	c := testenv.StrictKafka(t, 2, "part")
	c.ControlKey(kmsg.ListOffsets.Int16(), func(kr kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := kr.(*kmsg.ListOffsetsRequest)
		resp := req.ResponseKind().(*kmsg.ListOffsetsResponse)
		for _, rt := range req.Topics {
			st := kmsg.NewListOffsetsResponseTopic()
			st.Topic = rt.Topic
			for _, rp := range rt.Partitions {
				sp := kmsg.NewListOffsetsResponseTopicPartition()
				sp.Partition, sp.Offset, sp.Timestamp = rp.Partition, 0, -1
				if rp.Partition == 1 {
					sp.ErrorCode = kerr.UnknownServerError.Code
				}
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil, true
	})
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, _, err = listOffsets(ctx, cl, []string{"part"})
	if got := exitcode.Of(err); got != exitcode.Unavailable || !strings.Contains(fmt.Sprint(err), "part[1]") {
		t.Fatalf("exit %d (%v), want %d naming part[1]", got, err, exitcode.Unavailable)
	}
}

// Records the session may have sent before the log start (retention, a
// recreated topic) cannot be read: verify says so, naming the partition
// and how many offsets were lost.
func TestRangesWarnWhenTheLogStartsPastTheRecordedStart(t *testing.T) {
	c := testenv.StrictKafka(t, 1, "ret")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.DefaultProduceTopic("ret"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for range 5 {
		if err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte(`{}`)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := kadm.NewClient(cl).DeleteRecords(ctx, kadm.Offsets{"ret": {0: kadm.Offset{Topic: "ret", Partition: 0, At: 3}}}); err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	sess := &contract.Session{SessionID: "s1", Replayctl: &contract.SessionExt{Provenance: &contract.Provenance{
		StartOffsets: []contract.TopicOffsets{{Topic: "ret", Partitions: []contract.PartitionOffset{{Partition: 0, Offset: 1}}}}, StartOffsetsAt: &at,
	}}}
	rep := &Report{}
	src, err := (&Service{}).ranges(ctx, cl, sess, nil, rep)
	if err != nil || len(src) != 1 || src[0].From != 3 {
		t.Fatalf("ranges %+v %v, want one from 3", src, err)
	}
	var warned bool
	for _, w := range rep.Warnings {
		warned = warned || (strings.Contains(w, "ret[0]") && strings.Contains(w, "2 offset(s)"))
	}
	if !warned {
		t.Errorf("no warning naming ret[0] and 2 lost offsets: %q", rep.Warnings)
	}
}

// Verify maps event types with the prefix the session's first start
// recorded, not its own; without one it uses its own and warns.
func TestTopicsOfUsesTheRecordedPrefix(t *testing.T) {
	recorded := "run_"
	sess := &contract.Session{Config: contract.SessionConfig{Target: contract.TargetKafka},
		Replayctl: &contract.SessionExt{Provenance: &contract.Provenance{TopicPrefix: &recorded}}}
	s := &Service{TopicPrefix: "verifier_"}
	types := map[string]struct{}{"pod_created": {}}
	rep := &Report{}
	if got := s.topicsOf(sess, types, rep); len(got) != 1 || got[0] != "run_pod_created" || len(rep.Warnings) != 0 {
		t.Errorf("recorded prefix: topics %q warnings %q", got, rep.Warnings)
	}
	sess.Replayctl.Provenance.TopicPrefix = nil
	if got := s.topicsOf(sess, types, rep); len(got) != 1 || got[0] != "verifier_pod_created" || len(rep.Warnings) != 1 {
		t.Errorf("no recorded prefix: topics %q warnings %q", got, rep.Warnings)
	}
}
