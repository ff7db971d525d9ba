// Package verify checks a finished replay session against its target: it
// evaluates the session's selection against the event store exactly as the
// run did (the same filter, the insertion bound its first start recorded,
// max_events and (timestamp, _id) order; malformed documents skipped), reads
// the records the session sent (the target topics between the offsets the
// session recorded, or a file target from where the session began writing),
// and reports what is missing, duplicated or unexpected, and whether every
// duplicate lies in a window the session recorded as possible duplicates.
//
// Memory: each expected event costs 24 bytes (its id as 16 bytes, a 4-byte
// index for lookups, a 4-byte delivery count), plus the string of every id
// that is not a canonical UUID. Records are counted as they are read and
// never kept.
package verify
