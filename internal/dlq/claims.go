package dlq

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
)

// claim is a lease on one retry round of one message (see the package doc).
type claim = store.DLQClaim

// Claim purposes, recorded for operators reading dlq_claims.
const (
	purposeRetry   = "retry"
	purposeDue     = "due-retry"
	purposeDiscard = "discard"
	purposeIngest  = "ingest-retry"
	purposeRefail  = "refail"
)

func claimKey(eventID string, round int64) string {
	return eventID + ":" + strconv.FormatInt(round, 10)
}

func claimID(key string, epoch int) string {
	if epoch == 0 {
		return key
	}
	return key + "#" + strconv.Itoa(epoch)
}

// refailKey is the claim a new failure takes on the stored message it
// updates (see the package doc): the stored round while the message is
// pending or scheduled, so a retry or discard of that round is excluded; a
// key of its own once the message is terminal, because the retry or discard
// that ended it may keep its round's claim for the rest of its lease. The
// stored failed_at in that key makes every stored failure a fresh key.
func refailKey(eventID string, status contract.DLQStatus, round int64, failedAt time.Time) string {
	key := claimKey(eventID, round)
	if status.Terminal() {
		key += "/refail@" + strconv.FormatInt(failedAt.UnixMilli(), 10)
	}
	return key
}

// claimSet is what one claimAll call holds: claim _id by key.
type claimSet struct {
	held      map[string]string
	expiresAt time.Time
	// inherited are the keys taken over from an earlier holder of the same
	// job (see inherits): their messages may have been sent already.
	inherited map[string]bool
}

func (s claimSet) has(key string) bool { _, ok := s.held[key]; return ok }

// valid reports whether the lease still holds by our own clock for margin
// more: the publish that follows and its status update (sendMargin).
func (s claimSet) valid(now time.Time, margin time.Duration) bool {
	return now.Add(margin).Before(s.expiresAt)
}

// claimAll claims round rounds[i] of eventIDs[i] for each i in one insert,
// then takes over expired leases with the next epoch in a second insert.
// A key someone else holds is simply not in the result.
func (m *Manager) claimAll(ctx context.Context, eventIDs []string, rounds []int64, purpose string) (claimSet, error) {
	keys := make([]string, len(eventIDs))
	for i, id := range eventIDs {
		keys[i] = claimKey(id, rounds[i])
	}
	return m.claimKeys(ctx, eventIDs, rounds, keys, purpose)
}

// claimKeys is claimAll with the claim keys given: keys[i] is a claim on
// round rounds[i] of eventIDs[i].
func (m *Manager) claimKeys(ctx context.Context, eventIDs []string, rounds []int64, keys []string, purpose string) (claimSet, error) {
	now := m.nowMs()
	set := claimSet{held: make(map[string]string, len(eventIDs)), expiresAt: now.Add(m.claimTTL())}
	token := newToken()
	docs := make([]claim, len(eventIDs))
	for i, id := range eventIDs {
		key := keys[i]
		docs[i] = claim{ID: claimID(key, 0), Key: key, EventID: id, Round: rounds[i], Owner: m.owner(),
			Token: token, Purpose: purpose, ClaimedAt: now, ExpiresAt: set.expiresAt}
	}
	res, err := m.Store.DLQClaims().Insert(ctx, docs)
	if err != nil {
		return set, err
	}
	var contested []claim
	for i, c := range docs {
		if !res.Dup[i] {
			set.held[c.Key] = c.ID
		} else {
			contested = append(contested, c)
		}
	}
	if len(contested) == 0 {
		return set, nil
	}
	return set, m.takeOver(ctx, contested, token, now, &set)
}

// takeOver wins contested keys whose newest claim is ours (an earlier
// attempt of this call) or has expired (its holder is gone: take the next
// epoch, which only one taker can insert).
func (m *Manager) takeOver(ctx context.Context, contested []claim, token string, now time.Time, set *claimSet) error {
	keys := make([]string, len(contested))
	for i, c := range contested {
		keys[i] = c.Key
	}
	newest, err := m.newestClaims(ctx, keys)
	if err != nil {
		return err
	}
	var next []claim
	inherit := map[string]bool{}
	for _, c := range contested {
		cur, ok := newest[c.Key]
		switch {
		case !ok: // released since: claim afresh at the next free epoch
			next = append(next, c)
		case cur.Token == token:
			set.held[c.Key] = cur.ID
		case inherits(c.Purpose, cur.Purpose) || isJobPurpose(c.Purpose) && cur.ExpiresAt.Before(now):
			c.Epoch = cur.Epoch + 1
			c.ID = claimID(c.Key, c.Epoch)
			inherit[c.Key] = true
			next = append(next, c)
		case cur.ExpiresAt.Before(now):
			c.Epoch = cur.Epoch + 1
			c.ID = claimID(c.Key, c.Epoch)
			next = append(next, c)
		}
	}
	if len(next) == 0 {
		return nil
	}
	res, err := m.Store.DLQClaims().Insert(ctx, next)
	if err != nil {
		return fmt.Errorf("take over expired DLQ claims: %w", err)
	}
	for i, c := range next {
		if res.Dup[i] {
			continue
		}
		set.held[c.Key] = c.ID
		if inherit[c.Key] {
			if set.inherited == nil {
				set.inherited = map[string]bool{}
			}
			set.inherited[c.Key] = true
		}
	}
	return nil
}

// newestClaims returns the newest claim on each key. A claim document that
// cannot be read is not one replayctl wrote, so it holds no live lease: when
// its _id names a key and epoch it counts as expired at that epoch (the next
// taker inserts the epoch after it, so the round neither stalls nor is taken
// twice); otherwise it is only reported.
func (m *Manager) newestClaims(ctx context.Context, keys []string) (map[string]claim, error) {
	all, skipped, err := m.Store.DLQClaims().ByKeys(ctx, keys)
	if err != nil {
		return nil, err
	}
	m.logSkipped(skipped)
	all = append(all, unreadableClaims(keys, skipped)...)
	out := make(map[string]claim, len(keys))
	for _, c := range all {
		if prev, ok := out[c.Key]; !ok || c.Epoch > prev.Epoch {
			out[c.Key] = c
		}
	}
	return out, nil
}

// release deletes claims we hold for keys, so a failed send can be retried
// at once instead of after the lease expires. Only the holder deletes a live
// claim, so this never removes someone else's.
func (m *Manager) release(ctx context.Context, set claimSet, keys []string) error {
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		if id, ok := set.held[k]; ok {
			ids = append(ids, id)
			delete(set.held, k)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := m.Store.DLQClaims().Delete(ctx, ids)
	return err
}

// unreadableClaims turns the unreadable claims whose _id is claimID(key,
// epoch) of one of keys into expired claims at that epoch.
func unreadableClaims(keys []string, skipped []store.Skipped) []claim {
	if len(skipped) == 0 {
		return nil
	}
	want := make(map[string]bool, len(keys))
	for _, k := range keys {
		want[k] = true
	}
	var out []claim
	for _, s := range skipped {
		if key, epoch, ok := parseClaimID(s.ID, want); ok {
			out = append(out, claim{ID: s.ID, Key: key, Epoch: epoch})
		}
	}
	return out
}

// parseClaimID inverts claimID for the keys in want.
func parseClaimID(id string, want map[string]bool) (string, int, bool) {
	if want[id] {
		return id, 0, true
	}
	i := strings.LastIndexByte(id, '#')
	if i < 0 || !want[id[:i]] {
		return "", 0, false
	}
	epoch, err := strconv.Atoi(id[i+1:])
	if err != nil || epoch < 1 {
		return "", 0, false
	}
	return id[:i], epoch, true
}

func newToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// claimRetention is how long after expiry a claim is kept for operators.
const claimRetention = time.Hour

// cleanupClaims deletes every claim whose lease ended over claimRetention
// ago, in deletes of at most cleanupBatch claims (the oldest first), up to
// maxCleanupBatches per call. That is always safe: only live claims
// exclude; an expired one merely numbers the next epoch, and a taker
// re-reads the message, not the claim, before acting.
func (m *Manager) cleanupClaims(ctx context.Context) (int64, error) {
	claims := m.Store.DLQClaims()
	cutoff := m.nowMs().Add(-claimRetention)
	batch := m.cleanupBatchSize()
	var total int64
	for range maxCleanupBatches {
		bound, more, err := claims.NthExpiry(ctx, cutoff, batch)
		if err != nil {
			return total, err
		}
		if !more {
			bound = cutoff
		}
		n, err := claims.DeleteExpiredBefore(ctx, bound)
		if err == nil && n == 0 && more {
			// The oldest batch+1 claims share one expiry (one claimAll):
			// take them together.
			n, err = claims.DeleteExpiredBefore(ctx, bound.Add(time.Millisecond))
		}
		total += n
		if err != nil || !more {
			return total, err
		}
	}
	return total, nil
}

// Claims cleanup sizes: a batch stays well below the embedded server's
// 32,766 documents per delete and, there, within a few seconds (it deletes
// about 3,000 claims a second from 4,000); maxCleanupBatches bounds one
// call at a million claims (the next round goes on).
const (
	defaultCleanupBatch = 5000
	maxCleanupBatches   = 200
)

func (m *Manager) cleanupBatchSize() int64 {
	if m.cleanupBatch > 0 {
		return int64(m.cleanupBatch)
	}
	return defaultCleanupBatch
}
