package dlq

import (
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
)

func TestPolicyOverridesPersistAcrossManagers(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	setter, reader := e.manager("admin"), e.manager("worker")
	topic := e.topic("execution_failed")

	r, err := reader.ResolvePolicy(ctx, topic, "execution_failed")
	if err != nil || r.Override || r.Preset != PresetAggressive || r.Source != "preset aggressive (EXECUTION event type execution_failed)" {
		t.Fatalf("before: %+v, %v", r, err)
	}
	p := Policy{Strategy: StrategyFixed, MaxRetries: 7, BaseDelay: 90 * time.Second, MaxDelay: 10 * time.Minute, Multiplier: 1, Jitter: 0}
	if err := setter.SetPolicy(ctx, topic, p); err != nil {
		t.Fatal(err)
	}
	bad := p
	bad.MaxRetries = -3
	if err := setter.SetPolicy(ctx, e.topic("other"), bad); fault.KindOf(err) != fault.Invalid {
		t.Errorf("invalid policy: %v", err)
	}
	if err := setter.SetPolicy(ctx, "no spaces allowed", p); fault.KindOf(err) != fault.Invalid {
		t.Errorf("invalid topic: %v", err)
	}
	r, err = reader.ResolvePolicy(ctx, topic, "execution_failed")
	if err != nil || !r.Override || r.Policy != p || r.Source != "override for topic "+topic {
		t.Errorf("after set: %+v, %v", r, err)
	}
	page, err := reader.Overrides(ctx)
	ovs := page.Items
	if err != nil || len(ovs) != 1 || ovs[0].Topic != topic || ovs[0].Policy != p || ovs[0].UpdatedBy != "admin" || ovs[0].UpdatedAt.IsZero() {
		t.Errorf("overrides = %+v, %v", ovs, err)
	}
	if err := reader.UnsetPolicy(ctx, topic); err != nil {
		t.Fatal(err)
	}
	if err := reader.UnsetPolicy(ctx, topic); fault.KindOf(err) != fault.NotFound {
		t.Errorf("second unset: %v", err)
	}
	if r, _ := setter.ResolvePolicy(ctx, topic, "execution_failed"); r.Override {
		t.Error("override still applies after unset")
	}
}

// Process applies a persisted override: a manual policy discards on receipt.
func TestProcessAppliesOverride(t *testing.T) {
	e := newEnv(t)
	m := e.manager("proc")
	ctx := ctxT(t)
	topic := e.topic("execution_failed")
	if err := m.SetPolicy(ctx, topic, Policy{Strategy: StrategyManual, MaxRetries: 5}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	e.produce(
		dlqRecord("man-1", "execution_failed", topic, 0, now, "boom"),
		dlqRecord("test-keep", "execution_failed", e.topic("other_topic"), 0, now, "boom"),
	)
	m.Environment = "test"
	st, err := m.Process(ctx, ProcessOptions{Once: true, Group: e.topic("g")})
	if err != nil || st.Received != 2 || st.Discarded != 1 || st.Scheduled != 1 || st.Dropped != 0 {
		t.Fatalf("stats = %+v, %v", st, err)
	}
	if msg := e.loadMsg("man-1"); msg.Status != contract.DLQDiscarded || *msg.DiscardReason != ReasonMaxRetries {
		t.Errorf("manual override: %+v", msg)
	}
	if msg := e.loadMsg("test-keep"); msg.Status != contract.DLQScheduled {
		t.Errorf("test- id in a test environment: %+v", msg)
	}
}
