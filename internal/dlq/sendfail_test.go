package dlq

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

func TestClassifySendNamesTopicAndCode(t *testing.T) {
	for _, err := range permanentSendErrors {
		f := classifySend("orders", fmt.Errorf("produce: %w", err))
		ke := err.(*kerr.Error)
		if !f.permanent || f.code != ke.Message || !strings.Contains(f.text, "orders") || !strings.Contains(f.text, ke.Message) {
			t.Errorf("%v: %+v, want permanent with the topic and the code", err, f)
		}
	}
	for _, err := range []error{kgo.ErrRecordTimeout, kerr.NotLeaderForPartition, kerr.RequestTimedOut} {
		if f := classifySend("orders", err); f.permanent || !strings.Contains(f.text, "orders") {
			t.Errorf("%v: %+v, want transient with the topic", err, f)
		}
	}
}

func TestFailedSendBackOff(t *testing.T) {
	for n, want := range map[int64]time.Duration{1: 30 * time.Second, 2: time.Minute, 6: 16 * time.Minute, 7: 30 * time.Minute, 1 << 40: 30 * time.Minute} {
		if got := failureBackoff(n); got != want {
			t.Errorf("failureBackoff(%d) = %v, want %v", n, got, want)
		}
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	immediate := Policy{Strategy: StrategyImmediate, MaxRetries: 3}
	if got := nextAfterFailure(immediate, 0, 1, now); !got.Equal(now.Add(30 * time.Second)) {
		t.Errorf("immediate policy, first failure: %v, want now+30s", got)
	}
	fixed := Policy{Strategy: StrategyFixed, BaseDelay: 10 * time.Minute}
	if got := nextAfterFailure(fixed, 2, 3, now); !got.Equal(now.Add(10 * time.Minute)) {
		t.Errorf("fixed 10m policy, third failure: %v, want the policy's now+10m", got)
	}
	if got := nextAfterFailure(fixed, 2, 8, now); !got.Equal(now.Add(30 * time.Minute)) {
		t.Errorf("fixed 10m policy, eighth failure: %v, want the 30m cap of the back-off", got)
	}
}

// TestSendFailureLogOncePerMessageAndTopic: a permanent failure is logged
// at Warn once per message and topic, transient ones once a minute per
// topic, and what is remembered stays bounded.
func TestSendFailureLogOncePerMessageAndTopic(t *testing.T) {
	buf := &testenv.SyncBuffer{}
	log := slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	var l sendFailureLog
	now := time.Now()
	perm := classifySend("missing", kerr.UnknownTopicOrPartition)
	for range 3 {
		l.report(log, "a", perm, 1, nil, now)
	}
	l.report(log, "a", classifySend("other", kerr.UnknownTopicOrPartition), 1, nil, now)
	if got := strings.Count(buf.String(), "level=WARN"); got != 2 {
		t.Errorf("%d warnings for one message on two topics, want 2:\n%s", got, buf)
	}
	trans := classifySend("busy", kerr.RequestTimedOut)
	for i := range 3 {
		l.report(log, fmt.Sprint("t", i), trans, 1, nil, now)
	}
	l.report(log, "t9", trans, 1, nil, now.Add(transientWarnEvery+time.Second))
	if got := strings.Count(buf.String(), "topic=busy"); got != 2 {
		t.Errorf("%d lines for transient failures on one topic within a minute, then one after, want 2", got)
	}
	for i := range failureLogSize + 10 {
		l.firstPermanent(fmt.Sprint(i))
	}
	if len(l.seen) > failureLogSize || len(l.order) > failureLogSize {
		t.Errorf("remembers %d/%d keys, want at most %d", len(l.seen), len(l.order), failureLogSize)
	}
}

// SendFailures reads the count from a stored document as the driver decodes
// it, and names anything replayctl would not have written instead of
// guessing a number.
func TestSendFailuresReadsStoredCountLeniently(t *testing.T) {
	for _, c := range []struct {
		name    string
		ext     any // the stored replayctl field; nil = absent
		want    int64
		ok      bool
		wantErr string
	}{
		{name: "absent"},
		{name: "int32", ext: bson.D{{Key: "send_failures", Value: int32(3)}}, want: 3, ok: true},
		{name: "int64", ext: bson.D{{Key: "send_failures", Value: int64(4)}}, want: 4, ok: true},
		{name: "whole double", ext: bson.D{{Key: "send_failures", Value: 2.0}}, want: 2, ok: true},
		{name: "other replayctl fields only", ext: bson.D{{Key: "other", Value: int32(1)}}},
		{name: "string", ext: bson.D{{Key: "send_failures", Value: "three"}}, wantErr: "a string, not an integer"},
		{name: "fraction", ext: bson.D{{Key: "send_failures", Value: 2.5}}, wantErr: "not a whole number"},
		{name: "negative", ext: bson.D{{Key: "send_failures", Value: int32(-1)}}, wantErr: "not a count"},
		{name: "replayctl not a document", ext: "x", wantErr: "replayctl is a string, not a document"},
	} {
		doc := bson.D{{Key: "original_topic", Value: "orders"}}
		if c.ext != nil {
			doc = append(doc, bson.E{Key: "replayctl", Value: c.ext})
		}
		raw, err := bson.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		var msg contract.DLQMessage
		if err := bson.Unmarshal(raw, &msg); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		n, ok, err := SendFailures(&msg)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) || n != 0 || ok {
				t.Errorf("%s: %d %v %v, want an error with %q", c.name, n, ok, err, c.wantErr)
			}
			continue
		}
		if err != nil || n != c.want || ok != c.ok {
			t.Errorf("%s: %d %v %v, want %d %v", c.name, n, ok, err, c.want, c.ok)
		}
	}
}
