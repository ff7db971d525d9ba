package dlq

import (
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// TestSendNeedsLeaseForTheDeliveryTimeout: a message is sent only while its
// claim has the producer's delivery timeout (plus slack) left, so a stuck
// send fails before another process can take the claim.
func TestSendNeedsLeaseForTheDeliveryTimeout(t *testing.T) {
	now := time.Now()
	m := &Manager{DeliveryTimeout: 30 * time.Second}
	if s := (claimSet{expiresAt: now.Add(36 * time.Second)}); !s.valid(now, m.sendMargin()) {
		t.Error("a claim with 36s left refused for a 30s delivery timeout")
	}
	if s := (claimSet{expiresAt: now.Add(34 * time.Second)}); s.valid(now, m.sendMargin()) {
		t.Error("a claim with 34s left accepted for a 30s delivery timeout (5s slack)")
	}
	if s := (claimSet{expiresAt: now.Add(6 * time.Second)}); !s.valid(now, (&Manager{}).sendMargin()) {
		t.Error("without a delivery timeout, a claim with 6s left refused")
	}
}

// TestDeliveryTimeoutLongerThanHalfTheLeaseIsRefused: a manager whose
// producer could wait longer than half the claim lease does not send.
func TestDeliveryTimeoutLongerThanHalfTheLeaseIsRefused(t *testing.T) {
	cl, err := kgo.NewClient(kgo.SeedBrokers("127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	m := &Manager{Kafka: cl, ClaimTTL: time.Minute, DeliveryTimeout: 31 * time.Second}
	if err := m.requireKafka("retry"); err == nil || !strings.Contains(err.Error(), "claim lease") {
		t.Errorf("31s delivery timeout with a 1m lease: %v, want a refusal", err)
	}
	m.DeliveryTimeout = 30 * time.Second
	if err := m.requireKafka("retry"); err != nil {
		t.Errorf("30s delivery timeout with a 1m lease: %v", err)
	}
	if MaxDeliveryTimeout(0) != DefaultClaimTTL/2 {
		t.Errorf("MaxDeliveryTimeout(0) = %v", MaxDeliveryTimeout(0))
	}
}
