package replay

import (
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/flagvalue"
	"github.com/integr8scode/replayctl/internal/uuid"
)

// Limits the contract and replayctl put on a spec.
const (
	DefaultRetryAttempts = 3
	MaxRetryAttempts     = 100
	MaxBatchSize         = 1000
)

// NewSession validates spec and builds a session in status created with new
// ids, created_at = now and the contract's defaults. Every problem is a
// usage error, found before anything is written.
func NewSession(spec Spec, now time.Time, createdBy string) (*contract.Session, error) {
	cfg, err := sessionConfig(spec, now)
	if err != nil {
		return nil, err
	}
	if spec.Rate < 0 || math.IsNaN(spec.Rate) || math.IsInf(spec.Rate, 0) {
		return nil, fault.Invalidf("invalid rate %v: give events per second, 0 or more", spec.Rate)
	}
	s := &contract.Session{
		SessionID:           uuid.New(),
		ReplayID:            uuid.New(),
		Status:              contract.StatusCreated,
		Config:              cfg,
		CreatedAt:           now.UTC().Truncate(time.Millisecond),
		Errors:              []contract.SessionError{},
		DryRun:              spec.DryRun,
		TriggeredExecutions: []string{},
		Replayctl:           &contract.SessionExt{RateLimit: spec.Rate, AllowMissingTopics: spec.AllowMissingTopics},
	}
	if createdBy != "" {
		s.CreatedBy = &createdBy
	}
	return s, nil
}

func sessionConfig(sp Spec, now time.Time) (contract.SessionConfig, error) {
	cfg := contract.DefaultSessionConfig()
	var err error
	if cfg.Filter, err = buildFilter(sp, now); err != nil {
		return cfg, err
	}
	steps := []func(*contract.SessionConfig, Spec) error{
		applyTarget, applyTopicMap, applySpeed, applyBatchSize, applyMaxEvents, applyRetries, applyReplayType,
	}
	for _, step := range steps {
		if err := step(&cfg, sp); err != nil {
			return cfg, err
		}
	}
	cfg.PreserveTimestamps = sp.PreserveTimestamps
	cfg.SkipErrors = !sp.FailFast
	return cfg, nil
}

func buildFilter(sp Spec, now time.Time) (contract.Filter, error) {
	var f contract.Filter
	var err error
	if f.EventTypes, err = flagvalue.EventTypes("type", sp.Types, sp.AllowUnknownType); err != nil {
		return f, err
	}
	if f.ExcludeEventTypes, err = flagvalue.EventTypes("exclude-type", sp.ExcludeTypes, sp.AllowUnknownType); err != nil {
		return f, err
	}
	for _, t := range f.EventTypes {
		if slices.Contains(f.ExcludeEventTypes, t) {
			return f, fault.Invalidf("event type %s is both included and excluded", t)
		}
	}
	if f.EventIDs, err = flagvalue.List("event-id", sp.EventIDs); err != nil {
		return f, err
	}
	f.ExecutionID, f.AggregateID = optional(sp.ExecutionID), optional(sp.AggregateID)
	f.UserID, f.ServiceName = optional(sp.UserID), optional(sp.Service)
	if f.StartTime, err = flagvalue.OptionalTime("since", sp.Since, now); err != nil {
		return f, err
	}
	if f.EndTime, err = flagvalue.OptionalTime("until", sp.Until, now); err != nil {
		return f, err
	}
	if f.StartTime != nil && f.EndTime != nil && f.StartTime.After(*f.EndTime) {
		return f, fault.Invalidf("since (%s) is after until (%s)",
			f.StartTime.Format(contract.TimeFormat), f.EndTime.Format(contract.TimeFormat))
	}
	return f, nil
}

func optional(s string) *string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	return &s
}

func applyTarget(cfg *contract.SessionConfig, sp Spec) error {
	target := strings.ToLower(strings.TrimSpace(sp.Target))
	switch target {
	case "", contract.TargetKafka:
		cfg.Target = contract.TargetKafka
		if sp.Out != "" {
			return fault.Invalidf("out (%s) is only for target file; add --target file", sp.Out)
		}
		return nil
	case contract.TargetFile:
		cfg.Target = contract.TargetFile
	default:
		return fault.Invalidf("invalid target %q: replayctl replays to kafka or file", sp.Target)
	}
	out := strings.TrimSpace(sp.Out)
	if out == "" {
		return fault.Invalidf("target file needs an output path: --out PATH, or --out - for stdout")
	}
	if out != "-" {
		// A worker may run the session from another directory.
		abs, err := filepath.Abs(out)
		if err != nil {
			return fault.Invalidf("invalid output path %q: %v", out, err)
		}
		out = abs
	}
	cfg.TargetFilePath = &out
	return nil
}

// topicName is Kafka's legal topic alphabet and length.
var topicName = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,249}$`)

func applyTopicMap(cfg *contract.SessionConfig, sp Spec) error {
	if len(sp.TopicMap) == 0 {
		return nil
	}
	if cfg.Target != contract.TargetKafka {
		return fault.Invalidf("topic map is only for target kafka")
	}
	m := make(map[string]string, len(sp.TopicMap))
	for typ, topic := range sp.TopicMap {
		typ, topic = strings.TrimSpace(typ), strings.TrimSpace(topic)
		if typ == "" {
			return fault.Invalidf("topic map entry %q has no event type", "="+topic)
		}
		if _, err := flagvalue.EventTypes("topic-map", []string{typ}, sp.AllowUnknownType); err != nil {
			return err
		}
		if !topicName.MatchString(topic) || topic == "." || topic == ".." {
			return fault.Invalidf("invalid topic %q for %s: topic names are 1 to 249 of a-z A-Z 0-9 . _ -", topic, typ)
		}
		m[typ] = topic
	}
	cfg.TargetTopics = m
	return nil
}

func applySpeed(cfg *contract.SessionConfig, sp Spec) error {
	switch {
	case sp.Speed == 0:
		cfg.SpeedMultiplier = contract.NoPacing
	case math.IsNaN(sp.Speed) || sp.Speed < contract.MinSpeed || sp.Speed > contract.NoPacing:
		return fault.Invalidf("invalid speed %v: give a multiplier from %v to %v (omit it to replay as fast as possible)",
			sp.Speed, contract.MinSpeed, contract.NoPacing)
	default:
		cfg.SpeedMultiplier = sp.Speed
	}
	return nil
}

func applyBatchSize(cfg *contract.SessionConfig, sp Spec) error {
	switch {
	case sp.BatchSize == 0:
	case sp.BatchSize < 1 || sp.BatchSize > MaxBatchSize:
		return fault.Invalidf("invalid batch size %d: give 1 to %d", sp.BatchSize, MaxBatchSize)
	default:
		cfg.BatchSize = sp.BatchSize
	}
	return nil
}

func applyMaxEvents(cfg *contract.SessionConfig, sp Spec) error {
	switch {
	case sp.MaxEvents < 0:
		return fault.Invalidf("invalid max events %d: give a positive number (omit it for no limit)", sp.MaxEvents)
	case sp.MaxEvents > 0:
		n := sp.MaxEvents
		cfg.MaxEvents = &n
	}
	return nil
}

func applyRetries(cfg *contract.SessionConfig, sp Spec) error {
	cfg.RetryAttempts = DefaultRetryAttempts
	if sp.RetryAttempts == nil {
		return nil
	}
	if n := *sp.RetryAttempts; n < 0 || n > MaxRetryAttempts {
		return fault.Invalidf("invalid retry attempts %d: give 0 to %d", n, MaxRetryAttempts)
	}
	cfg.RetryAttempts = *sp.RetryAttempts
	return nil
}

func applyReplayType(cfg *contract.SessionConfig, sp Spec) error {
	rt := strings.ToLower(strings.TrimSpace(sp.ReplayType))
	if rt == "" {
		cfg.ReplayType = DeriveReplayType(cfg.Filter)
		return nil
	}
	if !slices.Contains(contract.ReplayTypes, rt) {
		return fault.Invalidf("invalid replay type %q: one of %s", sp.ReplayType, strings.Join(contract.ReplayTypes, ", "))
	}
	cfg.ReplayType = rt
	return nil
}

// DeriveReplayType names a filter the way the platform's admin UI would:
// an execution id makes an execution replay; types alone an event_type
// replay; a time window alone a time_range replay; anything else a query.
func DeriveReplayType(f contract.Filter) string {
	types := len(f.EventTypes) > 0 || len(f.ExcludeEventTypes) > 0
	window := f.StartTime != nil || f.EndTime != nil
	other := len(f.EventIDs) > 0 || f.AggregateID != nil || f.UserID != nil || f.ServiceName != nil
	switch {
	case f.ExecutionID != nil:
		return contract.ReplayTypeExecution
	case types && !window && !other:
		return contract.ReplayTypeEventType
	case window && !types && !other:
		return contract.ReplayTypeTimeRange
	}
	return contract.ReplayTypeQuery
}
