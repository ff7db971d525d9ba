package replay

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// seedOneKey stores n events of one aggregate (one Kafka key), one second
// apart, and returns their ids in replay order.
func (e *env) seedOneKey(n int, typ, agg string) []string {
	e.t.Helper()
	base := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	docs := make([]any, n)
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("%s-%04d", agg, i)
		ts := base.Add(time.Duration(i) * time.Second)
		docs[i] = bson.D{
			{Key: "event_id", Value: ids[i]}, {Key: "event_type", Value: typ}, {Key: "event_version", Value: "1.0"},
			{Key: "timestamp", Value: ts}, {Key: "aggregate_id", Value: agg},
			{Key: "metadata", Value: bson.D{{Key: "service_name", Value: "api"}, {Key: "service_version", Value: "1.0.0"},
				{Key: "user_id", Value: "u1"}, {Key: "environment", Value: "test"}}},
		}
	}
	if _, err := e.st.Events.Collection().InsertMany(ctxT(e.t, time.Minute), docs); err != nil {
		e.t.Fatal(err)
	}
	return ids
}

// rejectFirstProduce makes the broker reject the first produce request
// that carries records with a non-retriable error, as a broker rejects a
// record its policy refuses.
func rejectFirstProduce(c *kfake.Cluster, rejected *atomic.Int64) {
	c.ControlKey(kmsg.Produce.Int16(), func(req kmsg.Request) (kmsg.Response, error, bool) {
		pr := req.(*kmsg.ProduceRequest)
		resp := pr.ResponseKind().(*kmsg.ProduceResponse)
		resp.Version = pr.Version
		for _, t := range pr.Topics {
			rt := kmsg.NewProduceResponseTopic()
			rt.Topic, rt.TopicID = t.Topic, t.TopicID
			for _, p := range t.Partitions {
				rp := kmsg.NewProduceResponseTopicPartition()
				rp.Partition = p.Partition
				rp.ErrorCode = kerr.PolicyViolation.Code
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		rejected.Add(1)
		return resp, nil, true
	})
}

// A rejected record must not be sent again after later records of its key
// were sent: consumers of a key rely on Kafka's per-partition order. The
// broker rejects the first records of one key while the run goes on with
// the rest; whatever arrives must arrive in replay order, each event once.
func TestRejectedRecordIsNotResentAfterLaterRecordsOfItsKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	topic := e.prefix + "pod_running"
	ids := e.seedOneKey(300, "pod_running", "exec-1")
	svc, c := e.strictCluster("runner-a", topic)
	var rejected atomic.Int64
	rejectFirstProduce(c, &rejected)

	sess := e.createStarted(svc, Spec{})
	res := mustRun(t, svc, sess.SessionID, RunOptions{})
	s := res.Session
	if s.Status != contract.StatusCompleted || s.ReplayedEvents+s.FailedEvents != 300 {
		t.Fatalf("status %s replayed %d failed %d", s.Status, s.ReplayedEvents, s.FailedEvents)
	}
	if rejected.Load() != 1 {
		t.Fatalf("the broker rejected %d produce requests, want 1", rejected.Load())
	}
	recs := testenv.ReadToEnd(t, c.ListenAddrs(), topic)
	pos := make(map[string]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	seen := eventIDs(t, recs)
	last := -1
	for _, r := range recs {
		var id string
		for k := range eventIDs(t, []*kgo.Record{r}) {
			id = k
		}
		if pos[id] < last {
			t.Fatalf("event %s (#%d) arrived after #%d: a rejected record was sent again behind later records of its key", id, pos[id], last)
		}
		last = pos[id]
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %s arrived %d times", id, n)
		}
	}
	if int64(len(seen)) != s.ReplayedEvents {
		t.Errorf("%d events arrived, session says %d replayed", len(seen), s.ReplayedEvents)
	}
	t.Logf("replayed %d, failed %d (rejected and not re-sent)", s.ReplayedEvents, s.FailedEvents)
	causes := map[string]int{}
	for _, se := range s.Errors {
		causes[se.Error]++
	}
	for c, n := range causes {
		t.Logf("%d× %s", n, c)
	}
}
