package output

import (
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/golden"
)

func TestProgressPlainLines(t *testing.T) {
	ios, _, out, errOut := Test()
	clock := newFakeClock()
	p := newProgress(ios, "replaying", 10000, clock.Now)
	p.interval = time.Second

	step := func(d time.Duration, done, failed int64) {
		clock.Advance(d)
		p.Update(done, failed)
	}
	step(500*time.Millisecond, 500, 0) // too early for a line
	step(500*time.Millisecond, 1000, 1)
	step(500*time.Millisecond, 1500, 1) // rate-limited
	step(500*time.Millisecond, 2000, 3)
	clock.Advance(500 * time.Millisecond)
	p.Finish()
	p.Update(9999, 9) // ignored after Finish
	p.Finish()        // idempotent

	want := "replaying: 1000/10000 (10%) 1000/s, 1 failed\n" +
		"replaying: 2000/10000 (20%) 1000/s, 3 failed\n" +
		"replaying: 2000/10000 (20%) 800/s, 3 failed, done in 2.5s\n"
	if got := errOut.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if out.Len() != 0 {
		t.Errorf("progress leaked to stdout: %q", out.String())
	}
}

func TestProgressPlainUnknownTotalAndDefaults(t *testing.T) {
	ios, _, _, errOut := Test()
	clock := newFakeClock()
	p := newProgress(ios, "scanning", 0, clock.Now)
	if p.interval != 5*time.Second || p.redraw != 100*time.Millisecond {
		t.Errorf("defaults: interval=%v redraw=%v", p.interval, p.redraw)
	}
	clock.Advance(4 * time.Second)
	p.Update(200, 0)
	if errOut.Len() != 0 {
		t.Fatalf("line before interval: %q", errOut.String())
	}
	clock.Advance(time.Second)
	p.Update(250, 0)
	clock.Advance(5 * time.Second)
	p.SetTotal(500)
	p.Update(500, 0)
	p.Finish()
	want := "scanning: 250 50/s\n" +
		"scanning: 500/500 (100%) 50/s\n" +
		"scanning: 500/500 (100%) 50/s, done in 10s\n"
	if got := errOut.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestProgressQuickOperationPrintsOnlyFinalLine(t *testing.T) {
	ios, _, _, errOut := Test()
	clock := newFakeClock()
	p := newProgress(ios, "deleting", 3, clock.Now)
	p.Update(3, 0)
	p.Finish() // zero elapsed: no rate rather than a division by zero
	if got := errOut.String(); got != "deleting: 3/3 (100%), done in 0s\n" {
		t.Errorf("got %q", got)
	}
}

func TestProgressTTYRedraw(t *testing.T) {
	ios, out, errOut := ttyStreams(false, 80)
	ios.SetStdoutTTY(false) // progress follows stderr, not stdout
	clock := newFakeClock()
	p := newProgress(ios, "replaying", 10000, clock.Now)

	p.Update(0, 0) // first update draws immediately
	clock.Advance(50 * time.Millisecond)
	p.Update(50, 0) // within redraw interval: skipped
	clock.Advance(950 * time.Millisecond)
	p.Update(1000, 0)
	clock.Advance(time.Second)
	p.Update(2000, 3)
	clock.Advance(8 * time.Second)
	p.Update(10000, 3)
	p.Finish()

	got := errOut.String()
	golden.Assert(t, "progress_tty", got)
	frames := strings.Split(strings.TrimSuffix(got, "\n"), "\r")[1:]
	if len(frames) != 5 || !strings.HasSuffix(got, "\n") || strings.Count(got, "\n") != 1 {
		t.Fatalf("want 5 frames on one line ending in a newline, got %q", got)
	}
	wantParts := []string{
		"replaying [                    ] 0% 0/10000\x1b[K",
		"replaying [=>                  ] 10% 1000/10000 1.0k/s ETA 9s\x1b[K",
		"replaying [===>                ] 20% 2000/10000 1.0k/s ETA 8s  (3 failed)\x1b[K",
		"replaying [====================] 100% 10000/10000 1.0k/s  (3 failed)\x1b[K",
		"replaying [====================] 100% 10000/10000 1.0k/s in 10s  (3 failed)\x1b[K",
	}
	for i, f := range frames {
		if f != wantParts[i] {
			t.Errorf("frame %d:\n got %q\nwant %q", i, f, wantParts[i])
		}
	}
	if out.Len() != 0 {
		t.Errorf("progress leaked to stdout")
	}
}

func TestProgressTTYFitsNarrowTerminal(t *testing.T) {
	ios, _, errOut := ttyStreams(false, 40)
	clock := newFakeClock()
	p := newProgress(ios, "replaying orders-eu-west-1", 10000, clock.Now)
	clock.Advance(time.Second)
	p.Update(4500, 0)
	frame := strings.TrimSuffix(strings.TrimPrefix(errOut.String(), "\r"), "\x1b[K")
	if strings.Contains(frame, "[") {
		t.Errorf("bar should be dropped when there is no room: %q", frame)
	}
	if w := Width(frame); w > 39 {
		t.Errorf("frame is %d columns, must stay below 40 to avoid wrapping: %q", w, frame)
	}
	if frame != "replaying orders-eu-west-1 45% 4500/10…" {
		t.Errorf("frame = %q", frame)
	}
}

func TestProgressTTYUnknownTotal(t *testing.T) {
	ios, _, errOut := ttyStreams(false, 80)
	clock := newFakeClock()
	p := newProgress(ios, "copying", -1, clock.Now)
	clock.Advance(2 * time.Second)
	p.Update(3000, 0)
	if got := errOut.String(); got != "\rcopying 3000 1.5k/s\x1b[K" {
		t.Errorf("got %q", got)
	}
}

func TestRateMeterSmoothing(t *testing.T) {
	start := testNow
	m := rateMeter{at: start}
	m.observe(start.Add(100*time.Millisecond), 100) // window too small
	if m.primed {
		t.Fatal("sampled a window shorter than rateSampleInterval")
	}
	m.observe(start.Add(time.Second), 1000)
	if m.perSec != 1000 {
		t.Fatalf("first sample = %v", m.perSec)
	}
	m.observe(start.Add(1500*time.Millisecond), 2500) // burst: 3000/s
	want := 1000 + (1-math.Exp(-0.5/3))*2000
	if math.Abs(m.perSec-want) > 1e-9 {
		t.Errorf("smoothed = %v, want %v", m.perSec, want)
	}
	m.observe(start.Add(10*time.Second), 0) // counter reset
	if m.perSec != 0 {
		t.Errorf("negative rate not clamped: %v", m.perSec)
	}
}

func TestProgressHelpers(t *testing.T) {
	if got := Bar(5, 10, 10); got != "[====>     ]" {
		t.Errorf("bar half = %q", got)
	}
	if got := Bar(20, 10, 4); got != "[====]" {
		t.Errorf("bar overflow = %q", got)
	}
	if got := percent(15, 10); got != 100 {
		t.Errorf("percent overflow = %d", got)
	}
	for r, want := range map[float64]string{0.5: "0.5", 12.4: "12", 999: "999", 1234: "1.2k", 2.5e6: "2.5M"} {
		if got := compactRate(r); got != want {
			t.Errorf("compactRate(%v) = %q, want %q", r, got, want)
		}
	}
}

// Update is called from worker goroutines; -race checks the locking.
func TestProgressConcurrentUpdates(t *testing.T) {
	ios, _, errOut := ttyStreams(false, 80)
	p := NewProgress(ios, "work", 8000)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				p.Update(int64(w*1000+i), int64(i%3))
				if i%100 == 0 {
					p.SetTotal(8000)
				}
			}
		}()
	}
	wg.Wait()
	p.Finish()
	if !strings.HasSuffix(errOut.String(), "\n") {
		t.Errorf("missing final newline")
	}
}
