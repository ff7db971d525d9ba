package wiring

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/config"
)

func TestDeliveryTimeoutIsThreeServerTimeouts(t *testing.T) {
	if d := DeliveryTimeout(0); d != 30*time.Second {
		t.Errorf("DeliveryTimeout(0) = %v, want 30s", d)
	}
	if d := DeliveryTimeout(2 * time.Second); d != 6*time.Second {
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
