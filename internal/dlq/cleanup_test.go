package dlq

import (
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestCleanupClaimsRemovesEveryExpiredOne: one cleanup pass removes every
// claim whose lease ended over claimRetention ago, however many batches
// that takes (it used to stop at 10,000 an hour), and keeps the live one.
// Half the expired claims share one expiry, as the claims of one claimAll
// do, more than a batch of them. Sized for the embedded server under
// -race, with a batch a third of the expired claims.
func TestCleanupClaimsRemovesEveryExpiredOne(t *testing.T) {
	e := newEnv(t)
	m := e.manager("proc")
	m.cleanupBatch = 1000
	ctx := ctxT(t)
	const expired = 3000
	old := time.Now().UTC().Add(-2 * claimRetention).Truncate(time.Millisecond)
	docs := make([]any, 0, expired)
	for i := range expired {
		key := fmt.Sprintf("old-%05d:0", i)
		at := old
		if i >= expired/2 {
			at = old.Add(time.Duration(i) * time.Millisecond)
		}
		docs = append(docs, claim{ID: key, Key: key, EventID: key[:9], Owner: "gone", Token: "t", Purpose: purposeRetry,
			ClaimedAt: at.Add(-m.claimTTL()), ExpiresAt: at})
	}
	if _, err := e.db.Collection(ClaimsCollection).InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if _, err := m.claimAll(ctx, []string{"live"}, []int64{0}, purposeRetry); err != nil {
		t.Fatal(err)
	}
	n, err := m.cleanupClaims(ctx)
	if err != nil || n != expired {
		t.Errorf("one cleanup pass removed %d, %v; want %d", n, err, expired)
	}
	if left := e.count(ClaimsCollection, bson.D{}); left != 1 {
		t.Errorf("%d claims left, want only the live one", left)
	}
}
