package replay

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/kafka"
	"github.com/integr8scode/replayctl/internal/store"
)

// TypePreview is one event type of a preview.
type TypePreview struct {
	EventType string `json:"event_type"`
	Count     int64  `json:"count"`
	// Topic is where the type's events would go; empty for a file target.
	Topic string `json:"topic,omitempty"`
	// TopicExists is nil when Kafka was not checked (file target, no client).
	TopicExists *bool `json:"topic_exists,omitempty"`
}

// Preview is what a replay would do, computed without writing anything.
type Preview struct {
	// Matching counts every event the filter selects; Total is what would be
	// replayed, i.e. Matching capped by max_events.
	Matching int64         `json:"matching"`
	Total    int64         `json:"total"`
	First    *time.Time    `json:"first,omitempty"`
	Last     *time.Time    `json:"last,omitempty"`
	ByType   []TypePreview `json:"by_type"`
	// Sample holds the first events as the target would receive them.
	Sample            []json.RawMessage `json:"sample"`
	EstimatedDuration time.Duration     `json:"estimated_duration"`
	Pacing            string            `json:"pacing"`
	// SortIndex says whether an index serves the replay order for this
	// filter (see store.Events.SortIndexFor); nil when the indexes could
	// not be listed (a user without listIndexes).
	SortIndex *store.SortIndex `json:"sort_index,omitempty"`
}

// Preview counts and samples what cfg selects and estimates how long the
// replay would take under its pacing. It only reads.
func (s *Service) Preview(ctx context.Context, cfg contract.SessionConfig, rateLimit float64, sample int) (*Preview, error) {
	counts, err := s.Store.Events.CountByType(ctx, cfg.Filter)
	if err != nil {
		return nil, err
	}
	p := &Preview{ByType: make([]TypePreview, 0, len(counts)), Sample: []json.RawMessage{}}
	for _, c := range counts {
		p.Matching += c.Count
		p.ByType = append(p.ByType, TypePreview{EventType: c.EventType, Count: c.Count})
	}
	p.Total = p.Matching
	if cfg.MaxEvents != nil && *cfg.MaxEvents < p.Total {
		p.Total = *cfg.MaxEvents
	}
	if p.Matching > 0 {
		first, last, err := s.Store.Events.TimeBounds(ctx, cfg.Filter)
		if err != nil {
			return nil, err
		}
		p.First, p.Last = &first, &last
	}
	if idx, err := s.Store.Events.SortIndexFor(ctx, cfg.Filter); err == nil {
		p.SortIndex = &idx
	} else if ctx.Err() != nil {
		return nil, err
	}
	if err := s.previewTopics(ctx, cfg, p); err != nil {
		return nil, err
	}
	if err := s.previewSample(ctx, cfg, p, sample); err != nil {
		return nil, err
	}
	p.EstimatedDuration, p.Pacing = estimate(cfg.SpeedMultiplier, rateLimit, p)
	return p, nil
}

func (s *Service) previewTopics(ctx context.Context, cfg contract.SessionConfig, p *Preview) error {
	if cfg.Target != contract.TargetKafka {
		return nil
	}
	r := router{topics: cfg.TargetTopics, prefix: s.TopicPrefix}
	topics := make([]string, len(p.ByType))
	for i := range p.ByType {
		p.ByType[i].Topic = r.topic(p.ByType[i].EventType)
		topics[i] = p.ByType[i].Topic
	}
	if s.Kafka == nil || len(topics) == 0 {
		return nil
	}
	seeds, _ := s.Kafka.OptValue(kgo.SeedBrokers).([]string)
	exists, err := kafka.TopicsExist(ctx, s.Kafka, seeds, topics)
	if err != nil {
		return err
	}
	for i := range p.ByType {
		ok := exists[p.ByType[i].Topic]
		p.ByType[i].TopicExists = &ok
	}
	return nil
}

func (s *Service) previewSample(ctx context.Context, cfg contract.SessionConfig, p *Preview, n int) error {
	if n <= 0 || p.Matching == 0 {
		return nil
	}
	docs, err := s.Store.Events.Sample(ctx, cfg.Filter, int64(n))
	if err != nil {
		return err
	}
	now := s.now()
	var replayTime *time.Time
	if !cfg.PreserveTimestamps {
		replayTime = &now
	}
	for _, raw := range docs {
		out, err := contract.AppendEventJSON(nil, raw, replayTime)
		if err != nil {
			continue // a malformed document would be skipped by the replay too
		}
		p.Sample = append(p.Sample, out)
	}
	return nil
}

// estimate is the replay's duration under its pacing; 0 when unpaced,
// since then it depends only on the servers.
func estimate(speed, rate float64, p *Preview) (time.Duration, string) {
	var parts []string
	var d time.Duration
	if speed > 0 && speed < contract.NoPacing && p.First != nil {
		span := p.Last.Sub(*p.First)
		if p.Matching > 0 && p.Total < p.Matching {
			span = time.Duration(float64(span) * float64(p.Total) / float64(p.Matching))
		}
		d = time.Duration(float64(span) / speed)
		parts = append(parts, fmt.Sprintf("speed x%s (original gaps / %s)", fmtFloat(speed), fmtFloat(speed)))
	}
	if rate > 0 {
		d = max(d, time.Duration(float64(p.Total)/rate*float64(time.Second)))
		parts = append(parts, fmt.Sprintf("capped at %s events/s", fmtFloat(rate)))
	}
	if len(parts) == 0 {
		return 0, "as fast as possible"
	}
	return d.Round(time.Second), strings.Join(parts, ", ")
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
