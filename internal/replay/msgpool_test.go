package replay

import (
	"context"
	"testing"
)

func TestMessagePoolReusesAReportedMessageCleared(t *testing.T) {
	var p messagePool
	m := p.get(100)
	m.value = append(m.value, "payload"...)
	m.seq, m.size = 7, 356
	m.kafka.rejected, m.kafka.outages = 2, 3
	m.kafka.ctx = recordCtx{Context: context.Background(), m: m}
	p.put(m)

	again := p.get(10)
	if again != m {
		t.Fatal("get after put made a new message; want the reported one back")
	}
	if len(again.value) != 0 || cap(again.value) < 100 {
		t.Fatalf("value: len %d cap %d, want empty with its buffer kept", len(again.value), cap(again.value))
	}
	if again.seq != 0 || again.size != 0 || again.kafka.rejected != 0 || again.kafka.outages != 0 {
		t.Fatalf("reused message kept its last event's state: seq %d size %d rejected %d outages %d",
			again.seq, again.size, again.kafka.rejected, again.kafka.outages)
	}
	if again.kafka.ctx.m != m || again.kafka.ctx.Context == nil {
		t.Fatal("reused message lost its record context: franz-go may still read it, so it must be kept as it was")
	}
}

func TestMessagePoolDropsAnOversizedValue(t *testing.T) {
	var p messagePool
	m := p.get(maxPooledValue + 1)
	p.put(m)
	if got := p.get(10); got == m {
		t.Fatal("a message with a value over maxPooledValue was kept for reuse")
	}
}
