package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/fault"
)

// Server error codes the index logic tells apart.
const (
	codeNamespaceNotFound   = 26
	codeIndexOptionsClash   = 85
	codeIndexKeySpecsClash  = 86
	codeUnauthorized        = 13
	codeCommandNotSupported = 115
	codeNotImplemented      = 238
)

// IndexSpec is one index replayctl wants on a collection.
type IndexSpec struct {
	Keys   bson.D
	Unique bool
	// TTL, when set, makes it an expireAfterSeconds index.
	TTL time.Duration
	// Required indexes are the ones replayctl is wrong without (not merely
	// slower): it refuses to go on when one is missing and cannot be made.
	Required bool
}

// Describe renders the keys as a shell would write them: {"event.event_id": 1}.
func (s IndexSpec) Describe() string {
	parts := make([]string, len(s.Keys))
	for i, k := range s.Keys {
		parts[i] = fmt.Sprintf("%q: %v", k.Key, k.Value)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func (s IndexSpec) model() mongo.IndexModel {
	o := options.Index()
	if s.Unique {
		o.SetUnique(true)
	}
	if s.TTL > 0 {
		o.SetExpireAfterSeconds(int32(s.TTL / time.Second))
	}
	return mongo.IndexModel{Keys: s.Keys, Options: o}
}

// createCommand is the mongosh command that makes the index, for messages
// that tell an operator how to fix a missing one.
func (s IndexSpec) createCommand(coll string) string {
	var opts []string
	if s.Unique {
		opts = append(opts, "unique: true")
	}
	if s.TTL > 0 {
		opts = append(opts, fmt.Sprintf("expireAfterSeconds: %d", int64(s.TTL/time.Second)))
	}
	if len(opts) == 0 {
		return fmt.Sprintf("db.%s.createIndex(%s)", coll, s.Describe())
	}
	return fmt.Sprintf("db.%s.createIndex(%s, {%s})", coll, s.Describe(), strings.Join(opts, ", "))
}

// MissingIndex is an optional index that is absent and could not be made.
type MissingIndex struct {
	Spec IndexSpec
	Err  error
}

// IndexesNotCreatedError reports optional indexes that are missing and
// could not be created (typically: the role lacks createIndex). replayctl
// works without them, only slower, so callers log it and go on.
type IndexesNotCreatedError struct {
	Collection string
	Missing    []MissingIndex
}

func (e *IndexesNotCreatedError) Error() string {
	parts := make([]string, len(e.Missing))
	for i, m := range e.Missing {
		parts[i] = fmt.Sprintf("%s (%v)", m.Spec.Describe(), m.Err)
	}
	return fmt.Sprintf("optional indexes on %s not created, queries on them will scan: %s; create them with %s",
		e.Collection, strings.Join(parts, "; "), e.Missing[0].Spec.createCommand(e.Collection))
}

// Unsupported reports whether every index was refused because the server
// does not implement it (the embedded server and TTL indexes), which is
// not an operator's problem.
func (e *IndexesNotCreatedError) Unsupported() bool {
	for _, m := range e.Missing {
		if !hasCode(m.Err, codeNotImplemented, codeCommandNotSupported) {
			return false
		}
	}
	return true
}

// OptionalIndexesOnly reports whether err says nothing worse than that
// some optional indexes are missing.
func OptionalIndexesOnly(err error) bool {
	var e *IndexesNotCreatedError
	return errors.As(err, &e)
}

// existingIndex is what listIndexes says about one index.
type existingIndex struct {
	Name    string   `bson:"name"`
	Key     bson.D   `bson:"key"`
	Unique  bool     `bson:"unique"`
	Sparse  bool     `bson:"sparse"`
	Partial bson.Raw `bson:"partialFilterExpression"`
	// Collation is absent for the simple (binary) collation.
	Collation bson.Raw `bson:"collation"`
}

// indexView is the part of a collection's index API that ensureIndexes
// needs; a test replaces it to play a server that refuses createIndex.
type indexView interface {
	list(ctx context.Context) ([]existingIndex, error)
	create(ctx context.Context, m mongo.IndexModel) error
}

type driverIndexes struct{ c *mongo.Collection }

func (d driverIndexes) list(ctx context.Context) ([]existingIndex, error) {
	cur, err := d.c.Indexes().List(ctx)
	if err != nil {
		return nil, err
	}
	var out []existingIndex
	if err := cur.All(ctx, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func (d driverIndexes) create(ctx context.Context, m mongo.IndexModel) error {
	_, err := d.c.Indexes().CreateOne(ctx, m)
	return err
}

// ensureIndexes makes sure c has specs, sending createIndexes only for
// those listIndexes does not show: a role without createIndex (least
// privilege) then works as long as the indexes exist, and a role with it
// is not asked to rebuild anything. An index of the same keys under
// another name (the platform's) counts. Indexes are created one command
// each: FerretDB v1.24.0 drops the connection when one createIndexes
// lists two or more indexes that already exist.
func ensureIndexes(ctx context.Context, c *mongo.Collection, specs []IndexSpec) error {
	return ensureIndexesWith(ctx, driverIndexes{c}, c.Name(), specs)
}

func ensureIndexesWith(ctx context.Context, iv indexView, coll string, specs []IndexSpec) error {
	existing, err := iv.list(ctx)
	if hasCode(err, codeNamespaceNotFound) {
		existing, err = nil, nil // no collection yet: every index is missing
	}
	if err != nil {
		if fatal := Wrap(err); isUnavailable(fatal) {
			return fmt.Errorf("list indexes of %s: %w", coll, fatal)
		}
		// Without listIndexes, creating is the only way to find out.
		existing = nil
	}
	notCreated := &IndexesNotCreatedError{Collection: coll}
	for _, spec := range specs {
		if err := ensureOne(ctx, iv, coll, spec, existing); err != nil {
			if spec.Required || isUnavailable(Wrap(err)) {
				return requiredError(coll, spec, err)
			}
			notCreated.Missing = append(notCreated.Missing, MissingIndex{Spec: spec, Err: err})
		}
	}
	if len(notCreated.Missing) > 0 {
		return notCreated
	}
	return nil
}

// ensureOne returns nil when spec is there or was made.
func ensureOne(ctx context.Context, iv indexView, coll string, spec IndexSpec, existing []existingIndex) error {
	if ix, ok := findIndex(existing, spec.Keys); ok {
		return unsuitable(ix, spec)
	}
	err := iv.create(ctx, spec.model())
	if err == nil {
		return nil
	}
	if !hasCode(err, codeIndexOptionsClash, codeIndexKeySpecsClash) {
		return err
	}
	// The keys are indexed already under other options (a race with
	// another creator, or a list we could not read): look once more.
	now, lerr := iv.list(ctx)
	if lerr != nil {
		return err
	}
	if ix, ok := findIndex(now, spec.Keys); ok {
		if uerr := unsuitable(ix, spec); uerr != nil {
			return uerr
		}
		return nil
	}
	return err
}

// unsuitable says why an index on spec's keys does not do what spec needs:
// uniqueness it lacks, or, for a required index, uniqueness that does not
// hold on every document as the queries compare ids. A partial or sparse
// index leaves the documents it skips free to repeat an id, and a collated
// one compares ids under its collation, not the binary comparison every
// query and insert here uses. Optional indexes only speed queries up, so
// any index on their keys serves.
func unsuitable(ix existingIndex, spec IndexSpec) error {
	if spec.Unique && !ix.Unique {
		return &unsuitableIndexError{name: ix.Name, why: "is not unique"}
	}
	if !spec.Required {
		return nil
	}
	switch {
	case len(ix.Partial) > 0:
		return &unsuitableIndexError{name: ix.Name,
			why: fmt.Sprintf("is partial (partialFilterExpression %s), so it does not cover every document", ix.Partial)}
	case ix.Sparse:
		return &unsuitableIndexError{name: ix.Name, why: "is sparse, so it does not cover every document"}
	case len(ix.Collation) > 0:
		return &unsuitableIndexError{name: ix.Name,
			why: fmt.Sprintf("has the collation %s, so it does not compare ids as replayctl's queries do", ix.Collation)}
	}
	return nil
}

// unsuitableIndexError is an index on the right keys that does not do what
// the spec needs.
type unsuitableIndexError struct{ name, why string }

func (e *unsuitableIndexError) Error() string {
	return fmt.Sprintf("index %q on the same keys %s", e.name, e.why)
}

func requiredError(coll string, spec IndexSpec, err error) error {
	if u := Wrap(err); isUnavailable(u) {
		return fmt.Errorf("create index %s on %s: %w", spec.Describe(), coll, u)
	}
	how := "create it with " + spec.createCommand(coll) + ", or grant this user the createIndex action on the database"
	var nu *unsuitableIndexError
	switch {
	case errors.As(err, &nu):
		how = fmt.Sprintf("drop it (db.%s.dropIndex(%q)) and create the unique one with %s", coll, nu.name, spec.createCommand(coll))
	case hasCode(err, codeUnauthorized):
		how = "this user may not create indexes: create it as an administrator with " + spec.createCommand(coll)
	}
	return fmt.Errorf("%s needs the index %s (unique: %t) and it is missing or could not be made (%v); %s",
		coll, spec.Describe(), spec.Unique, err, how)
}

// findIndex finds an index on exactly keys. A single-field index serves
// equality and sorts in either direction, so its direction is not compared.
func findIndex(existing []existingIndex, keys bson.D) (existingIndex, bool) {
	for _, ix := range existing {
		if sameKeys(ix.Key, keys) {
			return ix, true
		}
	}
	return existingIndex{}, false
}

func sameKeys(have, want bson.D) bool {
	if len(have) != len(want) {
		return false
	}
	for i := range want {
		if have[i].Key != want[i].Key {
			return false
		}
		hd, hok := direction(have[i].Value)
		wd, wok := direction(want[i].Value)
		if !hok || !wok {
			return false // a text, hashed or geo index serves other queries
		}
		if len(want) > 1 && hd != wd {
			return false
		}
	}
	return true
}

func direction(v any) (float64, bool) {
	switch n := v.(type) {
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func hasCode(err error, codes ...int) bool {
	var se mongo.ServerError
	if err == nil || !errors.As(err, &se) {
		return false
	}
	for _, c := range codes {
		if se.HasErrorCode(c) {
			return true
		}
	}
	return false
}

func isUnavailable(err error) bool {
	var u *fault.UnavailableError
	return errors.As(err, &u)
}
