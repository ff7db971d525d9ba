package dlq

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/store"
)

// TopicSummary is the DLQ per original topic.
type TopicSummary struct {
	Topic         string           `json:"topic" yaml:"topic"`
	Total         int64            `json:"total" yaml:"total"`
	ByStatus      map[string]int64 `json:"by_status" yaml:"by_status"`
	OldestFailure time.Time        `json:"oldest_failure" yaml:"oldest_failure"`
	NewestFailure time.Time        `json:"newest_failure" yaml:"newest_failure"`
	AvgRetryCount float64          `json:"avg_retry_count" yaml:"avg_retry_count"`
	MaxRetryCount int64            `json:"max_retry_count" yaml:"max_retry_count"`
}

// Topics summarises the matching messages per original topic, most messages
// first. It reads a plain projection with one unsorted cursor and aggregates
// in Go, so MongoDB and the embedded server (which lacks $min, $max and $avg
// and mis-evaluates "$field" projections) give the same numbers.
func (m *Manager) Topics(ctx context.Context, f ListFilter) ([]TopicSummary, error) {
	page, err := m.TopicsPage(ctx, f)
	m.logSkipped(page.Skipped)
	return page.Items, err
}

// TopicsPage is Topics with the documents that could not be read in Skipped.
func (m *Manager) TopicsPage(ctx context.Context, f ListFilter) (store.Page[TopicSummary], error) {
	if err := f.validate(); err != nil {
		return store.Page[TopicSummary]{}, err
	}
	proj := bson.D{{Key: "original_topic", Value: 1}, {Key: "status", Value: 1}, {Key: "retry_count", Value: 1}, {Key: "failed_at", Value: 1}}
	acc := map[string]*topicAcc{}
	skipped, err := m.scan(ctx, f.query(), proj, func(raw bson.Raw) error {
		row, err := readSummaryRow(raw)
		if err == nil {
			a := acc[row.topic]
			if a == nil {
				a = &topicAcc{s: TopicSummary{Topic: row.topic, ByStatus: map[string]int64{}}}
				acc[row.topic] = a
			}
			a.add(row)
		}
		return err
	})
	if err != nil {
		return store.Page[TopicSummary]{}, fmt.Errorf("summarise DLQ topics: %w", err)
	}
	out := make([]TopicSummary, 0, len(acc))
	for _, a := range acc {
		out = append(out, a.summary())
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Total != out[j].Total {
			return out[i].Total > out[j].Total
		}
		return out[i].Topic < out[j].Topic
	})
	return store.Page[TopicSummary]{Items: out, Total: int64(len(out)), Skipped: skipped}, nil
}

type summaryRow struct {
	topic, status string
	retries       int64
	failedAt      time.Time
	hasFailedAt   bool
}

// readSummaryRow reads the projected fields, tolerating the numeric types
// pymongo and Go drivers write; a document without a topic is malformed.
func readSummaryRow(raw bson.Raw) (summaryRow, error) {
	var r summaryRow
	var ok bool
	if r.topic, ok = raw.Lookup("original_topic").StringValueOK(); !ok {
		return r, errNoTopic
	}
	r.status, _ = raw.Lookup("status").StringValueOK()
	r.retries, _ = rawInt(raw.Lookup("retry_count"))
	if dt, ok := raw.Lookup("failed_at").DateTimeOK(); ok {
		r.failedAt, r.hasFailedAt = time.UnixMilli(dt).UTC(), true
	}
	return r, nil
}

var errNoTopic = errors.New("original_topic is missing or not a string")

func rawInt(v bson.RawValue) (int64, bool) {
	switch v.Type {
	case bson.TypeInt32:
		return int64(v.Int32()), true
	case bson.TypeInt64:
		return v.Int64(), true
	case bson.TypeDouble:
		f := v.Double()
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			return int64(f), true
		}
	}
	return 0, false
}

type topicAcc struct {
	s        TopicSummary
	retrySum int64
}

func (a *topicAcc) add(r summaryRow) {
	a.s.Total++
	a.s.ByStatus[r.status]++
	a.retrySum += r.retries
	a.s.MaxRetryCount = max(a.s.MaxRetryCount, r.retries)
	if r.hasFailedAt {
		if a.s.OldestFailure.IsZero() || r.failedAt.Before(a.s.OldestFailure) {
			a.s.OldestFailure = r.failedAt
		}
		if r.failedAt.After(a.s.NewestFailure) {
			a.s.NewestFailure = r.failedAt
		}
	}
}

func (a *topicAcc) summary() TopicSummary {
	s := a.s
	if s.Total > 0 {
		s.AvgRetryCount = float64(a.retrySum) / float64(s.Total)
	}
	return s
}

// scan streams the matching documents' projection (plain field names only)
// through fn; fn returns why a document was unusable, and unusable ones are
// returned as skipped rather than failing the read.
func (m *Manager) scan(ctx context.Context, q, proj bson.D, fn func(bson.Raw) error) ([]store.Skipped, error) {
	cur, err := m.Store.DLQ.Find(ctx, q, options.Find().SetProjection(proj).SetBatchSize(1000))
	if err != nil {
		return nil, store.Wrap(err)
	}
	defer cur.Close(ctx)
	var skipped []store.Skipped
	for cur.Next(ctx) {
		if err := fn(cur.Current); err != nil {
			skipped = append(skipped, store.Skipped{ID: store.DocID(cur.Current), Collection: m.Store.DLQ.Name(), Err: err})
		}
	}
	return skipped, store.Wrap(cur.Err())
}
