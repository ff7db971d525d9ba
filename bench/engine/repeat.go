package main

import (
	"encoding/binary"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
)

// repeat extends docs, the seeded events in replay order, to n events by
// appending copies of them, each copy shifted past the previous one in
// time, with its own _id and event_id, so the whole stays in replay order
// and every event is distinct. Seeding through the embedded server costs
// about half a millisecond per event; copying costs nothing measurable, and
// a long run is what shows the engine's cost per event rather than the
// fixed cost of a run (claim, bookkeeping writes, topic creation, final
// write: about 150 ms of wall time on the embedded server).
func repeat(docs []bson.Raw, n int) ([]bson.Raw, error) {
	if len(docs) == 0 || n <= len(docs) {
		return docs[:min(n, len(docs))], nil
	}
	first, err := contract.ParseStoredEvent(docs[0])
	if err != nil {
		return nil, err
	}
	last, err := contract.ParseStoredEvent(docs[len(docs)-1])
	if err != nil {
		return nil, err
	}
	span := last.Timestamp.Sub(first.Timestamp) + time.Millisecond
	out := make([]bson.Raw, 0, n)
	out = append(out, docs...)
	for k := 1; len(out) < n; k++ {
		for _, d := range docs[:min(len(docs), n-len(out))] {
			c, err := copyOf(d, k, time.Duration(k)*span)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// copyOf is the k-th copy of doc, shift later. It edits the copy's bytes in
// place: the fields keep their lengths.
func copyOf(doc bson.Raw, k int, shift time.Duration) (bson.Raw, error) {
	c := append(bson.Raw(nil), doc...)
	id, err := c.LookupErr("_id")
	if err != nil || id.Type != bson.TypeObjectID {
		return nil, fmt.Errorf("seeded event without an ObjectID _id: %v", err)
	}
	binary.BigEndian.PutUint16(id.Value[4:6], binary.BigEndian.Uint16(id.Value[4:6])^uint16(k))
	ts, err := c.LookupErr("timestamp")
	if err != nil || ts.Type != bson.TypeDateTime {
		return nil, fmt.Errorf("seeded event without a date timestamp: %v", err)
	}
	ms := int64(binary.LittleEndian.Uint64(ts.Value)) + shift.Milliseconds()
	binary.LittleEndian.PutUint64(ts.Value, uint64(ms))
	ev, err := c.LookupErr("event_id")
	if err != nil || ev.Type != bson.TypeString || len(ev.Value) < 4+4 {
		return nil, fmt.Errorf("seeded event without a string event_id: %v", err)
	}
	// The value is int32 length, text, NUL: overwrite the first four
	// characters of the id (a UUID's leading hex digits) with k's.
	copy(ev.Value[4:8], fmt.Sprintf("%04x", k&0xffff))
	return c, nil
}
