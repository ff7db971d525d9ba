package store

import (
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// coordinationOptions pins the settings that make a claim mean something on
// a replica set, whatever the URI asks for the rest of the database: a
// claim read from a lagging secondary, or one acknowledged by the primary
// alone and rolled back after a failover, would let two processes hold the
// same session or DLQ message. Primary reads with majority read concern see
// every claim a majority acknowledged; w:majority with the journal makes an
// acknowledged claim survive an election.
func coordinationOptions() *options.CollectionOptionsBuilder {
	journal := true
	return options.Collection().
		SetReadPreference(readpref.Primary()).
		SetReadConcern(readconcern.Majority()).
		SetWriteConcern(&writeconcern.WriteConcern{W: writeconcern.Majority().W, Journal: &journal})
}

// Coordination returns a handle on one of replayctl's coordination
// collections (leases, requests, DLQ claims, the pending-send journal,
// retry policies, jobs, audit) with primary reads, majority read concern
// and journaled majority writes. Every repository of such a collection
// must be built on it rather than on Database().Collection.
func (s *Store) Coordination(name string) *mongo.Collection {
	return s.db.Collection(name, coordinationOptions())
}

// HolderSessions is the sessions collection as the holder of a session's
// claim reads and writes it: the epoch that fences a stale holder lives in
// the session document, so the holder's reads and writes of it need the
// coordination settings as much as the claims do. Listings, counts and
// lookups by operators keep the URI's settings (Store.Sessions).
func (s *Store) HolderSessions() *Sessions {
	return &Sessions{c: s.db.Collection(s.collections.Sessions, coordinationOptions())}
}
