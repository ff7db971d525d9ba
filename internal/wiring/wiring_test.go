package wiring

import (
	"strings"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/dlq"
)

func TestDeliveryTimeoutIsThreeServerTimeouts(t *testing.T) {
	if d := DeliveryTimeout(0, dlq.DefaultClaimTTL); d != 30*time.Second {
		t.Errorf("DeliveryTimeout(0) = %v, want 30s", d)
	}
	if d := DeliveryTimeout(2*time.Second, dlq.DefaultClaimTTL); d != 6*time.Second {
		t.Errorf("DeliveryTimeout(2s) = %v, want 6s", d)
	}
}

func TestOneOwnerAcrossServices(t *testing.T) {
	w := &Wiring{Settings: &config.Settings{TopicPrefix: "dev_", DLQTopic: "dead_letter_queue", Environment: "test"}}
	svc, m := w.ReplayService(), w.DLQManager()
	if svc.Owner == "" || svc.Owner != m.Owner {
		t.Fatalf("replay owner %q and DLQ owner %q differ", svc.Owner, m.Owner)
	}
	if parts := strings.Split(svc.Owner, ":"); len(parts) != 3 {
		t.Errorf("owner %q is not host:pid:suffix", svc.Owner)
	}
	if m.DLQTopic != "dev_dead_letter_queue" || m.TopicPrefix != "dev_" || svc.TopicPrefix != "dev_" {
		t.Errorf("prefix not applied: dlq topic %q, prefixes %q/%q", m.DLQTopic, m.TopicPrefix, svc.TopicPrefix)
	}
}

func TestOwnersDifferPerProcessIdentity(t *testing.T) {
	if a, b := Owner(), Owner(); a == b {
		t.Errorf("two owners built in one process are equal: %q", a)
	}
}

// TestDLQDeliveryTimeoutBelowClaimTTL: a stuck DLQ send must fail while its
// claim still holds, or another worker takes the expired claim and sends
// the message again. A long --timeout used to make the delivery timeout
// (3x) longer than the 5-minute claim.
func TestDLQDeliveryTimeoutBelowClaimTTL(t *testing.T) {
	for _, timeout := range []time.Duration{0, time.Second, time.Minute, 5 * time.Minute, time.Hour} {
		w := &Wiring{Settings: &config.Settings{Timeout: timeout}}
		m := w.DLQManager()
		d := DeliveryTimeout(timeout, m.ClaimTTL)
		if d <= 0 || m.ClaimTTL <= 0 || d > m.ClaimTTL/2 || m.DeliveryTimeout != d {
			t.Errorf("--timeout %v: delivery timeout %v (manager %v), claim TTL %v: want at most half the TTL, the same in both",
				timeout, d, m.DeliveryTimeout, m.ClaimTTL)
		}
	}
}
