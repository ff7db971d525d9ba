package verify

import (
	"sync"
	"sync/atomic"
)

// maxListed bounds each list of ids a report names.
const maxListed = 20

// maxUnexpectedTracked bounds the distinct unexpected ids counted one by
// one (about 50 bytes each): a verify against the wrong topics must not
// grow without bound. Past it, each further unexpected record counts.
const maxUnexpectedTracked = 100_000

// maxUnexpectedKept bounds the unexpected ids kept to look up in the event
// store (one query): those no longer stored are set aside, not unexpected.
const maxUnexpectedKept = 1000

// maxDuplicatesListed bounds the duplicates a report lists.
const maxDuplicatesListed = 1000

// tally counts what a target delivered against the expected set. deliver
// may be called from several goroutines at once.
type tally struct {
	set *idSet

	mu         sync.Mutex
	unexpected map[key]uint32
	unexpOrder []key // the first maxUnexpectedKept unexpected keys, in arrival order
	unexpNames map[key]string
	unexpMore  int64 // unexpected records past maxUnexpectedTracked distinct ids

	records    atomic.Int64 // records or lines of the session
	unreadable atomic.Int64 // of those, ones without a readable event id
}

func newTally(set *idSet) *tally {
	return &tally{set: set, unexpected: map[key]uint32{}, unexpNames: map[key]string{}}
}

// deliver counts one delivered copy of event id.
func (t *tally) deliver(id string) {
	t.records.Add(1)
	k, isUUID := keyOf(id)
	if i := t.set.find(k); i >= 0 {
		atomic.AddUint32(&t.set.copies[i], 1)
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.unexpected[k] == 0 && len(t.unexpected) >= maxUnexpectedTracked {
		t.unexpMore++
		return
	}
	if t.unexpected[k] == 0 {
		if len(t.unexpOrder) < maxUnexpectedKept {
			t.unexpOrder = append(t.unexpOrder, k)
		}
		if !isUUID {
			t.unexpNames[k] = id
		}
	}
	t.unexpected[k]++
}

// unreadableRecord counts a record or line of the session whose event id
// could not be read.
func (t *tally) unreadableRecord() {
	t.records.Add(1)
	t.unreadable.Add(1)
}

// Copies is an event id and how many times the target holds it.
type Copies struct {
	EventID string `json:"event_id"`
	Copies  int64  `json:"copies"`
	// InWindow says a recorded possible-duplicate window covers it.
	InWindow bool `json:"in_window"`
}

// counts is the comparison's outcome, before the store adds details.
type counts struct {
	expected, delivered, missing, duplicated, unexpected int64
	outsideWindows                                       int64
	missingIdx                                           []int // first maxListed, replay order
	duplicates                                           []Copies
	outside                                              []string // first maxListed duplicates no window covers
	unexpectedList                                       []Copies // the first maxUnexpectedKept
	gone                                                 []Copies // unexpected, and no longer stored
}

// compare summarises the tally; spans are the resolved duplicate windows.
func (t *tally) compare(spans []span) counts {
	var c counts
	s := t.set
	c.expected = int64(s.len())
	for i, n := range s.copies {
		switch {
		case n == 0:
			c.missing++
			if len(c.missingIdx) < maxListed {
				c.missingIdx = append(c.missingIdx, i)
			}
			continue
		case n > 1:
			c.duplicated++
			in := inSpans(spans, i)
			id := s.name(s.keys[i])
			if !in {
				c.outsideWindows++
				if len(c.outside) < maxListed {
					c.outside = append(c.outside, id)
				}
			}
			if len(c.duplicates) < maxDuplicatesListed {
				c.duplicates = append(c.duplicates, Copies{EventID: id, Copies: int64(n), InWindow: in})
			}
		}
		c.delivered++
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	c.unexpected = int64(len(t.unexpected)) + t.unexpMore
	for _, k := range t.unexpOrder {
		name, ok := t.unexpNames[k]
		if !ok {
			name = formatUUID(k)
		}
		c.unexpectedList = append(c.unexpectedList, Copies{EventID: name, Copies: int64(t.unexpected[k])})
	}
	return c
}
