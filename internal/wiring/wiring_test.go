package wiring

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

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

// Topic auto-creation is the settings' choice, for every client wiring
// builds: off unless the context (or REPLAYCTL_KAFKA_AUTO_CREATE_TOPICS)
// turns it on, as `replayctl dev` does.
func TestKafkaClientsAskForAutoCreationOnlyWhenSet(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, auto := range []bool{false, true} {
		var closers []func()
		w := &Wiring{
			Settings: &config.Settings{KafkaBrokers: c.ListenAddrs(), Timeout: 5 * time.Second, KafkaAutoCreateTopics: auto},
			OnClose:  func(f func()) { closers = append(closers, f) },
		}
		rp, err := w.ReplayProducer(ctx, "t")
		if err != nil {
			t.Fatal(err)
		}
		dp, err := w.DLQProducer(ctx, "t")
		if err != nil {
			t.Fatal(err)
		}
		dc, err := w.DLQConsumers("t")()
		if err != nil {
			t.Fatal(err)
		}
		closers = append(closers, dc.Close)
		for name, cl := range map[string]*kgo.Client{"replay producer": rp, "DLQ producer": dp, "DLQ consumer": dc} {
			if got, _ := cl.OptValue(kgo.AllowAutoTopicCreation).(bool); got != auto {
				t.Errorf("setting %v: %s asks for auto-creation: %v", auto, name, got)
			}
		}
		for _, f := range closers {
			f()
		}
	}
}

// A producer whose ping fails is closed, not left registered until the
// process exits: the dashboard asks again on every retry while Kafka is down.
func TestProducerClosesTheClientWhenThePingFails(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	addrs := c.ListenAddrs()
	c.Close() // nothing listens there any more
	registered := 0
	w := &Wiring{
		Settings: &config.Settings{KafkaBrokers: addrs, Timeout: time.Second},
		OnClose:  func(func()) { registered++ },
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for range 3 {
		if _, err := w.ReplayProducer(ctx, "t"); err == nil {
			t.Fatal("a producer on a closed cluster answered its ping")
		}
	}
	if registered != 0 {
		t.Errorf("%d clients left registered after failed pings, want 0", registered)
	}
}
