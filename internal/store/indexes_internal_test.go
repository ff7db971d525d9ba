package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// fakeIndexes plays a server whose listIndexes and createIndexes answer as
// a test says: the embedded server cannot revoke a privilege.
type fakeIndexes struct {
	existing  []existingIndex
	listErr   error
	createErr error
	created   []bson.D
}

func (f *fakeIndexes) list(context.Context) ([]existingIndex, error) { return f.existing, f.listErr }

func (f *fakeIndexes) create(_ context.Context, m mongo.IndexModel) error {
	f.created = append(f.created, m.Keys.(bson.D))
	return f.createErr
}

var unauthorized = mongo.CommandError{Code: codeUnauthorized, Name: "Unauthorized",
	Message: "not authorized on integr8scode_db to execute command { createIndexes: ... }"}

// What listIndexes returns when the platform made every index: its own
// names, int32 or double directions, the TTL on created_at.
func platformIndexes() []existingIndex {
	return []existingIndex{
		{Name: "_id_", Key: bson.D{{Key: "_id", Value: int32(1)}}},
		{Name: "event_id_unique", Key: bson.D{{Key: "event.event_id", Value: int32(1)}}, Unique: true},
		{Name: "idx_type", Key: bson.D{{Key: "event.event_type", Value: 1.0}}},
		{Name: "idx_topic", Key: bson.D{{Key: "original_topic", Value: int32(1)}}},
		{Name: "idx_status", Key: bson.D{{Key: "status", Value: int32(1)}}},
		{Name: "idx_failed_at", Key: bson.D{{Key: "failed_at", Value: int32(-1)}}},
		{Name: "ttl_created_at", Key: bson.D{{Key: "created_at", Value: int32(1)}}},
	}
}

// With every index present, a role without createIndex must not matter:
// nothing is created, nothing fails.
func TestEnsureIndexesWithEveryIndexPresentCreatesNothing(t *testing.T) {
	f := &fakeIndexes{existing: platformIndexes(), createErr: unauthorized}
	if err := ensureIndexesWith(context.Background(), f, "dlq_messages", DLQIndexes); err != nil {
		t.Fatalf("ensure with every index present: %v", err)
	}
	if len(f.created) != 0 {
		t.Fatalf("created %v although every index exists", f.created)
	}
}

// A missing optional index that the role may not create is reported as
// such, and the required one being there is enough to go on.
func TestEnsureIndexesRefusedOptionalIndexIsAWarningNotAFailure(t *testing.T) {
	existing := platformIndexes()
	existing = append(existing[:4:4], existing[5:]...) // no status index
	f := &fakeIndexes{existing: existing, createErr: unauthorized}
	err := ensureIndexesWith(context.Background(), f, "dlq_messages", DLQIndexes)
	if !OptionalIndexesOnly(err) {
		t.Fatalf("err = %v, want only optional indexes missing", err)
	}
	var e *IndexesNotCreatedError
	errors.As(err, &e)
	if len(e.Missing) != 1 || e.Missing[0].Spec.Keys[0].Key != "status" || e.Unsupported() {
		t.Fatalf("missing = %+v, want the status index, refused (not unsupported)", e.Missing)
	}
	if len(f.created) != 1 {
		t.Fatalf("created %v, want one attempt (status)", f.created)
	}
	if !strings.Contains(err.Error(), `db.dlq_messages.createIndex({"status": 1})`) {
		t.Errorf("warning does not say how to create the index: %v", err)
	}
}

// The unique event.event_id index missing and not creatable stops the
// processor with an error naming the index and the fix.
func TestEnsureIndexesMissingRequiredIndexFailsNamingIt(t *testing.T) {
	f := &fakeIndexes{existing: platformIndexes()[2:], createErr: unauthorized}
	err := ensureIndexesWith(context.Background(), f, "dlq_messages", DLQIndexes)
	if err == nil || OptionalIndexesOnly(err) {
		t.Fatalf("err = %v, want a failure", err)
	}
	for _, want := range []string{`{"event.event_id": 1}`, "unique: true", "may not create indexes",
		`db.dlq_messages.createIndex({"event.event_id": 1}, {unique: true})`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q: %v", want, err)
		}
	}
}

// An index on event.event_id that is not unique does not make ingestion
// idempotent: refused even when nothing needs creating.
func TestEnsureIndexesNonUniqueEventIDIsRefused(t *testing.T) {
	existing := platformIndexes()
	existing[1].Unique = false
	f := &fakeIndexes{existing: existing}
	err := ensureIndexesWith(context.Background(), f, "dlq_messages", DLQIndexes)
	if err == nil || OptionalIndexesOnly(err) || !strings.Contains(err.Error(), "not unique") ||
		!strings.Contains(err.Error(), `db.dlq_messages.dropIndex("event_id_unique")`) {
		t.Fatalf("err = %v, want a failure saying the index is not unique and how to replace it", err)
	}
	if len(f.created) != 0 {
		t.Fatalf("created %v, want nothing", f.created)
	}
}

// A role without listIndexes falls back to creating: an administrator's
// index of the same keys then answers 85/86 and counts once listed, and a
// refusal is judged as above.
func TestEnsureIndexesWithoutListIndexesTriesToCreate(t *testing.T) {
	f := &fakeIndexes{listErr: unauthorized}
	err := ensureIndexesWith(context.Background(), f, "dlq_messages", DLQIndexes[:2])
	if err != nil {
		t.Fatalf("err = %v, want the indexes created", err)
	}
	if len(f.created) != 2 {
		t.Fatalf("created %v, want both", f.created)
	}
	f = &fakeIndexes{listErr: unauthorized, createErr: unauthorized}
	if err := ensureIndexesWith(context.Background(), f, "dlq_messages", DLQIndexes[:2]); err == nil || OptionalIndexesOnly(err) {
		t.Fatalf("err = %v, want the required index's failure", err)
	}
}

// A server without TTL indexes (the embedded one) is not an operator's
// problem: the report says so, so it can be logged quietly.
func TestEnsureIndexesUnsupportedTTLIsReportedAsUnsupported(t *testing.T) {
	existing := platformIndexes()[:6]
	f := &fakeIndexes{existing: existing, createErr: mongo.CommandError{Code: codeNotImplemented, Name: "NotImplemented"}}
	err := ensureIndexesWith(context.Background(), f, "dlq_messages", DLQIndexes)
	var e *IndexesNotCreatedError
	if !errors.As(err, &e) || !e.Unsupported() {
		t.Fatalf("err = %v, want an unsupported optional index", err)
	}
}

// A unique index on event.event_id that is partial, sparse or collated
// does not enforce uniqueness on every document (or compares ids under
// another collation than the queries'): refused as the required index,
// naming the index, what is wrong with it and the fix.
func TestEnsureIndexesRestrictedUniqueEventIDIsRefused(t *testing.T) {
	partial, _ := bson.Marshal(bson.D{{Key: "status", Value: "pending"}})
	collation, _ := bson.Marshal(bson.D{{Key: "locale", Value: "en"}, {Key: "strength", Value: int32(2)}})
	cases := []struct {
		name string
		set  func(*existingIndex)
		want string
	}{
		{"partial", func(ix *existingIndex) { ix.Partial = partial }, "partial"},
		{"sparse", func(ix *existingIndex) { ix.Sparse = true }, "sparse"},
		{"collated", func(ix *existingIndex) { ix.Collation = collation }, "collation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			existing := platformIndexes()
			c.set(&existing[1])
			f := &fakeIndexes{existing: existing}
			err := ensureIndexesWith(context.Background(), f, "dlq_messages", DLQIndexes)
			if err == nil || OptionalIndexesOnly(err) {
				t.Fatalf("err = %v, want the required index refused", err)
			}
			for _, want := range []string{`"event_id_unique"`, c.want, `db.dlq_messages.dropIndex("event_id_unique")`,
				`db.dlq_messages.createIndex({"event.event_id": 1}, {unique: true})`} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not mention %q: %v", want, err)
				}
			}
			if len(f.created) != 0 {
				t.Errorf("created %v, want nothing", f.created)
			}
		})
	}
	// An optional index is not held to this: a sparse one still serves.
	existing := platformIndexes()
	existing[4].Sparse = true
	if err := ensureIndexesWith(context.Background(), &fakeIndexes{existing: existing}, "dlq_messages", DLQIndexes); err != nil {
		t.Errorf("sparse optional status index: %v, want accepted", err)
	}
}
