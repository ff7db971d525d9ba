package replay

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/wait"
)

// DefaultLeaseTTL is how long a runner's claim lasts without renewal: the
// longest a crashed runner's session waits before another may take it.
// 30 s lets a runner renew every 10 s with 3-s calls and keep its claim
// through 14 s of MongoDB being away (a typical election, about 12 s);
// longer outages stop sending until MongoDB answers and the runner takes
// the session again (see lease.go for the arithmetic).
const DefaultLeaseTTL = 30 * time.Second

// Service runs replay sessions for one process. Its zero values are usable
// defaults except Store; Kafka may be nil when only file targets, dry runs
// or control operations are used.
type Service struct {
	Store       *store.Store
	Kafka       *kgo.Client
	TopicPrefix string
	// Owner names this process in leases and requests; NewOwner builds one.
	Owner    string
	LeaseTTL time.Duration
	Now      func() time.Time
	// Logger gets the engine's decisions; every line about a session carries
	// session_id. nil discards.
	Logger  *slog.Logger
	Metrics Metrics
	// Events is where runs read stored events; nil is Store's events
	// collection (see EventSource).
	Events EventSource

	// Tests only: the event cursor's batch size (0 is cursorBatch), and a
	// hook told each event cursor's id as it opens.
	cursorBatch int32
	onCursor    func(id int64)

	// beforeFinalWrite, when set (in-package tests only), runs just before
	// a runner's final session write: where a paused or slow process would
	// send a write its claim no longer covers.
	beforeFinalWrite func()

	indexOnce sync.Once
	clockOnce sync.Once
	ownerOnce sync.Once
	owner     string
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) ttl() time.Duration {
	if s.LeaseTTL > 0 {
		return s.LeaseTTL
	}
	return DefaultLeaseTTL
}

func (s *Service) ownerID() string {
	s.ownerOnce.Do(func() {
		s.owner = s.Owner
		if s.owner == "" {
			s.owner = NewOwner()
		}
	})
	return s.owner
}

func (s *Service) logger(sessionID string) *slog.Logger {
	l := s.Logger
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return l.With(slog.String("session_id", sessionID))
}

// ensureIndexes creates the coordination collections' indexes once per
// Service; failure only costs speed, so it is logged, not returned.
func (s *Service) ensureIndexes(ctx context.Context) {
	s.indexOnce.Do(func() {
		for _, ensure := range []func(context.Context) error{
			s.Store.Leases().EnsureIndexes, s.Store.Requests().EnsureIndexes,
		} {
			if err := ensure(ctx); err != nil && s.Logger != nil {
				s.Logger.Warn("create coordination index", "error", err)
			}
		}
	})
}

// Create validates spec and stores a new session in status created.
func (s *Service) Create(ctx context.Context, spec Spec, createdBy string) (*contract.Session, error) {
	sess, err := NewSession(spec, s.now(), createdBy)
	if err != nil {
		return nil, err
	}
	if err := s.Store.Sessions.Insert(ctx, sess); err != nil {
		return nil, err
	}
	s.logger(sess.SessionID).Info("session created", "replay_type", sess.Config.ReplayType, "target", sess.Config.Target)
	return sess, nil
}

// Resolve finds a session by its id or a unique prefix of it.
func (s *Service) Resolve(ctx context.Context, idOrPrefix string) (*contract.Session, error) {
	return s.Store.Sessions.Resolve(ctx, idOrPrefix)
}

// List returns sessions newest first, optionally only some statuses, with
// the documents that could not be read.
func (s *Service) List(ctx context.Context, statuses []contract.SessionStatus, limit int64) (store.Page[contract.Session], error) {
	return s.Store.Sessions.List(ctx, store.ListOptions{Statuses: statuses, Limit: limit})
}

// Lease is a claim on a session, as `show` reports it.
type Lease struct {
	SessionID string    `json:"session_id"`
	Epoch     int64     `json:"epoch"`
	Owner     string    `json:"owner"`
	Purpose   string    `json:"purpose"` // "run": a runner; "control": a short status change
	Since     time.Time `json:"since"`   // when this claim was taken
	ExpiresAt time.Time `json:"expires_at"`
	Released  bool      `json:"released"`
	// Live is true while the claim is neither released nor expired.
	Live bool `json:"live"`
}

// Request is a pending pause or cancel for the session's runner.
type Request struct {
	ID          string          `json:"id"`
	SessionID   string          `json:"session_id"`
	Action      contract.Action `json:"action"`
	RequestedBy string          `json:"requested_by"`
	RequestedAt time.Time       `json:"requested_at"`
}

// Info is everything `show` prints about a session.
type Info struct {
	Session *contract.Session `json:"session"`
	// Holder is the latest claim, nil when none was ever taken.
	Holder   *Lease    `json:"holder"`
	Requests []Request `json:"requests"`
	// InvalidFields names the stored fields that could not be read (a
	// document other software wrote); Session holds the rest.
	InvalidFields []contract.FieldProblem `json:"invalid_fields,omitempty"`
}

// Info loads a session with its latest claim and its pending requests. A
// document with fields of the wrong type is shown as far as it can be read.
func (s *Service) Info(ctx context.Context, idOrPrefix string) (*Info, error) {
	sess, problems, err := s.Store.Sessions.ResolveLenient(ctx, idOrPrefix)
	if err != nil {
		return nil, err
	}
	info := &Info{Session: sess, Requests: []Request{}, InvalidFields: problems}
	doc, err := s.Store.Leases().Latest(ctx, sess.SessionID)
	if err != nil {
		return nil, err
	}
	if doc != nil {
		l := leaseOf(doc, s.now())
		info.Holder = &l
	}
	reqs, err := s.Store.Requests().Pending(ctx, sess.SessionID)
	if err != nil {
		return nil, err
	}
	for _, r := range reqs {
		info.Requests = append(info.Requests, Request{
			ID: r.ID, SessionID: r.SessionID, Action: contract.Action(r.Action),
			RequestedBy: r.RequestedBy, RequestedAt: r.RequestedAt,
		})
	}
	return info, nil
}

func leaseOf(d *store.LeaseDoc, now time.Time) Lease {
	return Lease{
		SessionID: d.SessionID, Epoch: d.Epoch, Owner: d.Owner, Purpose: d.Purpose,
		Since: d.AcquiredAt.UTC(), ExpiresAt: d.ExpiresAt.UTC(), Released: d.Released, Live: isLive(d, now),
	}
}

// Cleanup deletes terminal sessions created before now-olderThan, with their
// claims and requests, and returns them; with dryRun it only returns them.
// Documents that cannot be read are reported in the page and left alone.
func (s *Service) Cleanup(ctx context.Context, olderThan time.Duration, dryRun bool) (store.Page[contract.Session], error) {
	if olderThan < 0 {
		return store.Page[contract.Session]{}, fault.Invalidf("invalid age %v: give a positive duration", olderThan)
	}
	old, err := s.Store.Sessions.TerminalOlderThan(ctx, s.now().Add(-olderThan))
	if err != nil || dryRun || len(old.Items) == 0 {
		return old, err
	}
	ids := make([]string, len(old.Items))
	for i := range old.Items {
		ids[i] = old.Items[i].SessionID
	}
	if _, err := s.Store.Sessions.DeleteIDs(ctx, ids); err != nil {
		return store.Page[contract.Session]{}, err
	}
	if err := s.Store.Leases().DeleteSessions(ctx, ids); err != nil {
		return store.Page[contract.Session]{}, fmt.Errorf("delete claims of cleaned sessions: %w", err)
	}
	if err := s.Store.Requests().DeleteSessions(ctx, ids); err != nil {
		return store.Page[contract.Session]{}, fmt.Errorf("delete requests of cleaned sessions: %w", err)
	}
	return old, nil
}

// Runnable lists running sessions no live runner holds: work for a worker
// (a session whose runner died shows up once its claim expires). Running
// documents that cannot be read are returned in Skipped, never run.
func (s *Service) Runnable(ctx context.Context) (store.Page[contract.Session], error) {
	running, err := s.List(ctx, []contract.SessionStatus{contract.StatusRunning}, 0)
	if err != nil || len(running.Items) == 0 {
		return running, err
	}
	live, skippedLeases, err := s.Store.Leases().Live(ctx, s.now())
	if err != nil {
		return store.Page[contract.Session]{}, err
	}
	running.Skipped = append(running.Skipped, skippedLeases...)
	held := make(map[string]bool, len(live))
	for _, l := range live {
		held[l.SessionID] = true
	}
	out := running.Items[:0]
	for _, sess := range running.Items {
		if !held[sess.SessionID] {
			out = append(out, sess)
		}
	}
	running.Items, running.Total = out, int64(len(out))
	return running, nil
}

// Watch polls a session every interval (1s when 0) and calls fn with it
// whenever it changed, until it reaches a terminal status or ctx ends.
func (s *Service) Watch(ctx context.Context, id string, every time.Duration, fn func(*contract.Session)) (*contract.Session, error) {
	if every <= 0 {
		every = time.Second
	}
	sess, err := s.Resolve(ctx, id)
	if err != nil {
		return nil, err
	}
	var last *contract.Session
	for {
		if last == nil || changed(last, sess) {
			if fn != nil {
				fn(sess)
			}
			last = sess
		}
		if sess.Status.Terminal() {
			return sess, nil
		}
		if err := wait.Sleep(ctx, every); err != nil {
			return last, err
		}
		if sess, err = s.Store.Sessions.Get(ctx, last.SessionID); err != nil {
			return last, err
		}
	}
}

func changed(a, b *contract.Session) bool {
	return a.Status != b.Status || a.ReplayedEvents != b.ReplayedEvents || a.FailedEvents != b.FailedEvents ||
		a.SkippedEvents != b.SkippedEvents || a.TotalEvents != b.TotalEvents || len(a.Errors) != len(b.Errors)
}
