package seed

import (
	"math/rand/v2"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

const (
	// window is how far back the seeded history reaches.
	window = 3 * 24 * time.Hour
	// quietTail keeps flows, most of which last a few minutes, in the past
	// relative to Now; the few that last hours are moved back whole
	// (keepInPast).
	quietTail = 10 * time.Minute
	// eventTTL is the platform's retention of stored events.
	eventTTL = 30 * 24 * time.Hour
	userPool = 25
)

// event is one generated event: the stored document plus the few fields
// the DLQ generator needs without digging through the document.
type event struct {
	id, typ, execID, service string
	ts                       time.Time
	doc                      bson.D // as stored in events, stored_at and ttl_expires_at last
}

// generator produces plausible platform history. All randomness comes from
// r, so a fixed seed and Now give the same documents on every run.
type generator struct {
	r           *rand.Rand
	now         time.Time
	topicPrefix string
	users       []string
}

func newGenerator(r *rand.Rand, now time.Time, topicPrefix string) *generator {
	g := &generator{r: r, now: now.UTC().Truncate(time.Millisecond), topicPrefix: topicPrefix}
	for range userPool {
		g.users = append(g.users, uuid4(r))
	}
	return g
}

// nextFlow returns one business flow's events in time order and whether it
// is an execution. A flow that would run past now is moved back whole: a
// notification may be read, or a user log out, hours later, and no event
// may be dated in the future.
func (g *generator) nextFlow() ([]event, bool) {
	evs, isExec := g.anyFlow()
	g.keepInPast(evs)
	return evs, isExec
}

func (g *generator) anyFlow() ([]event, bool) {
	switch p := g.r.IntN(100); {
	case p < 78:
		return g.executionFlow(), true
	case p < 90:
		return g.userFlow(), false
	default:
		return g.notificationFlow(), false
	}
}

// keepInPast moves every time of the flow's events back by as much as the
// last of them was stored past now (its stored_at, a little after its
// timestamp). Expiries and estimates move with them.
func (g *generator) keepInPast(evs []event) {
	latest := g.now
	for _, ev := range evs {
		if at := storedAt(ev.doc); at.After(latest) {
			latest = at
		}
	}
	if !latest.After(g.now) {
		return
	}
	by := latest.Sub(g.now)
	for i := range evs {
		evs[i].ts = evs[i].ts.Add(-by)
		shiftTimes(evs[i].doc, -by)
	}
}

func storedAt(doc bson.D) time.Time {
	for _, e := range doc {
		if e.Key == "stored_at" {
			t, _ := e.Value.(time.Time)
			return t
		}
	}
	return time.Time{}
}

// shiftTimes moves every time in v (documents and arrays included) by d.
func shiftTimes(v any, d time.Duration) {
	switch v := v.(type) {
	case bson.D:
		for i := range v {
			if t, ok := v[i].Value.(time.Time); ok {
				v[i].Value = t.Add(d)
				continue
			}
			shiftTimes(v[i].Value, d)
		}
	case bson.A:
		for i := range v {
			if t, ok := v[i].(time.Time); ok {
				v[i] = t.Add(d)
				continue
			}
			shiftTimes(v[i], d)
		}
	}
}

// flow accumulates the events of one flow on a moving clock.
type flow struct {
	g         *generator
	at        time.Time
	user      string
	aggregate any // string, or nil for events about no aggregate
	execID    string
	events    []event
}

func (g *generator) newFlow(user string, aggregate any, execID string) *flow {
	span := int64(window - quietTail)
	start := g.now.Add(-window).Add(time.Duration(g.r.Int64N(span)))
	return &flow{g: g, at: start, user: user, aggregate: aggregate, execID: execID}
}

// wait moves the flow's clock min..max ahead, for payloads that must carry
// the timestamp of the event about to be added.
func (f *flow) wait(minGap, maxGap time.Duration) {
	f.at = f.at.Add(f.g.between(minGap, maxGap)).Truncate(time.Millisecond)
}

// add appends an event min..max after the previous one. Payload fields are
// stored flat beside the common fields, as the platform stores them.
// It returns the new event's id.
func (f *flow) add(typ, service string, minGap, maxGap time.Duration, payload ...bson.E) string {
	f.wait(minGap, maxGap)
	id := uuid4(f.g.r)
	doc := bson.D{
		{Key: "event_id", Value: id},
		{Key: "event_type", Value: typ},
		{Key: "event_version", Value: eventVersion},
		{Key: "timestamp", Value: f.at},
		{Key: "aggregate_id", Value: f.aggregate},
		{Key: "metadata", Value: bson.D{
			{Key: "service_name", Value: service},
			{Key: "service_version", Value: serviceVersion},
			{Key: "user_id", Value: f.user},
			{Key: "environment", Value: environment},
		}},
	}
	if f.execID != "" {
		doc = append(doc, bson.E{Key: "execution_id", Value: f.execID})
	}
	doc = append(doc, payload...)
	stored := f.at.Add(f.g.between(2*time.Millisecond, 150*time.Millisecond))
	doc = append(doc,
		bson.E{Key: "stored_at", Value: stored},
		bson.E{Key: "ttl_expires_at", Value: stored.Add(eventTTL)},
	)
	f.events = append(f.events, event{id: id, typ: typ, execID: f.execID, service: service, ts: f.at, doc: doc})
	return id
}

// between returns a duration uniformly in [lo, hi].
func (g *generator) between(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(g.r.Int64N(int64(hi-lo)+1))
}

func (g *generator) chance(percent int) bool { return g.r.IntN(100) < percent }

func (g *generator) user() string { return g.users[g.r.IntN(len(g.users))] }

func pick[T any](g *generator, xs []T) T { return xs[g.r.IntN(len(xs))] }

func e(key string, value any) bson.E { return bson.E{Key: key, Value: value} }
