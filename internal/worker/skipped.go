package worker

import (
	"log/slog"
	"sync"

	"github.com/integr8scode/replayctl/internal/store"
)

// maxRememberedSkips bounds the documents a worker remembers having warned
// about: a collection full of foreign documents must not grow the worker.
// Past the cap the oldest are forgotten, and warned about again if they
// are still there.
const maxRememberedSkips = 4096

// skipLog warns once per process about each stored document that cannot
// be read, instead of on every poll, and counts it in
// replayctl_documents_skipped_total.
type skipLog struct {
	mu    sync.Mutex
	seen  map[string]struct{}
	order []string // insertion order, for eviction
	next  int      // index in order of the oldest entry once full
}

func newSkipLog() *skipLog { return &skipLog{seen: map[string]struct{}{}} }

// report logs and counts the documents not reported before.
func (l *skipLog) report(log *slog.Logger, m *Metrics, skipped []store.Skipped) {
	for _, s := range skipped {
		if !l.first(s.Collection + "\x00" + s.ID) {
			continue
		}
		log.Warn("skipping a stored document that cannot be read; fix or remove it",
			"collection", s.Collection, "_id", s.ID, "error", s.Err)
		if m != nil {
			m.documentsSkipped.WithLabelValues(s.Collection).Inc()
		}
	}
}

func (l *skipLog) first(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.seen[key]; ok {
		return false
	}
	if len(l.order) < maxRememberedSkips {
		l.order = append(l.order, key)
	} else {
		delete(l.seen, l.order[l.next])
		l.order[l.next] = key
		l.next = (l.next + 1) % maxRememberedSkips
	}
	l.seen[key] = struct{}{}
	return true
}
