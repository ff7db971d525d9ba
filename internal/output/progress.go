package output

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
)

const (
	// ttyRedrawInterval keeps redraws near 10/s: smooth to the eye while
	// costing nothing next to the work being measured.
	ttyRedrawInterval = 100 * time.Millisecond
	// plainLineInterval spaces out status lines in logs and CI output.
	plainLineInterval = 5 * time.Second
	// rateSampleInterval avoids computing rates over tiny, noisy windows.
	rateSampleInterval = 250 * time.Millisecond
	// rateTimeConstant is the EWMA horizon: long enough to smooth bursts,
	// short enough to follow real throughput changes within seconds.
	rateTimeConstant = 3 * time.Second
	maxBarWidth      = 30
	minBarWidth      = 10
	// statsReserve is the room kept for the stats after the bar, enough for
	// "100% 10000/10000 999.9k/s ETA 59m59s  (100 failed)".
	statsReserve = 48
)

// Progress reports the advance of a long operation on stderr, so it never
// mixes with data on stdout. On a terminal it redraws one status line in
// place; otherwise (CI logs, redirected stderr) it prints a plain line at
// most every interval plus a final one, keeping logs short. All methods are
// safe for concurrent use.
type Progress struct {
	ios   *IOStreams
	label string
	tty   bool

	// now is the clock, replaceable so tests can control rates and ETAs.
	now func() time.Time
	// interval is the minimum gap between plain (non-TTY) lines.
	interval time.Duration
	// redraw is the minimum gap between TTY redraws.
	redraw time.Duration

	mu                  sync.Mutex
	total, done, failed int64
	start, lastDraw     time.Time
	drawn, finished     bool
	rate                rateMeter
}

// NewProgress starts tracking an operation of total units; total <= 0 means
// the size is unknown, which drops the bar, percentage and ETA.
func NewProgress(ios *IOStreams, label string, total int64) *Progress {
	return newProgress(ios, label, total, time.Now)
}

func newProgress(ios *IOStreams, label string, total int64, now func() time.Time) *Progress {
	start := now()
	return &Progress{
		ios:      ios,
		label:    label,
		tty:      ios.IsStderrTTY(),
		now:      now,
		interval: plainLineInterval,
		redraw:   ttyRedrawInterval,
		total:    total,
		start:    start,
		lastDraw: start,
		rate:     rateMeter{at: start},
	}
}

// Update records cumulative counts, not deltas: done is every unit
// processed so far (drives the bar, rate and ETA) and failed how many of
// them failed (reported alongside). It is cheap enough to call per item;
// output is rate-limited internally.
func (p *Progress) Update(done, failed int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	now := p.now()
	p.done, p.failed = done, failed
	p.rate.observe(now, done)
	if p.due(now) {
		p.draw(now, false)
	}
}

// SetTotal changes the expected total, e.g. once a count query returns.
func (p *Progress) SetTotal(total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = total
}

// Finish prints the final state. Further calls, and later Updates, are
// no-ops, so it is safe to defer.
func (p *Progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.finished = true
	p.draw(p.now(), true)
}

func (p *Progress) due(now time.Time) bool {
	if p.tty {
		return !p.drawn || now.Sub(p.lastDraw) >= p.redraw
	}
	return now.Sub(p.lastDraw) >= p.interval
}

func (p *Progress) draw(now time.Time, final bool) {
	p.drawn, p.lastDraw = true, now
	if p.tty {
		line := p.ttyLine(now, final)
		// \r returns to column 0; \x1b[K clears leftovers of a longer
		// previous line without the flicker of clearing first.
		end := ""
		if final {
			end = "\n"
		}
		fmt.Fprintf(p.ios.ErrOut, "\r%s\x1b[K%s", line, end)
		return
	}
	fmt.Fprintln(p.ios.ErrOut, p.plainLine(now, final))
}

// currentRate is the smoothed rate while running, and the overall average
// once finished, which is the more honest summary.
func (p *Progress) currentRate(now time.Time, final bool) float64 {
	if final {
		if elapsed := now.Sub(p.start).Seconds(); elapsed > 0 {
			return float64(p.done) / elapsed
		}
		return 0
	}
	return p.rate.perSec
}

// plainLine: "label: 4500/10000 (45%) 1200/s, 3 failed".
func (p *Progress) plainLine(now time.Time, final bool) string {
	var b strings.Builder
	b.WriteString(p.label + ": ")
	if p.total > 0 {
		fmt.Fprintf(&b, "%d/%d (%d%%)", p.done, p.total, percent(p.done, p.total))
	} else {
		fmt.Fprintf(&b, "%d", p.done)
	}
	if r := p.currentRate(now, final); r > 0 {
		b.WriteString(" " + plainRate(r) + "/s")
	}
	if p.failed > 0 {
		fmt.Fprintf(&b, ", %d failed", p.failed)
	}
	if final {
		b.WriteString(", done in " + Duration(now.Sub(p.start)))
	}
	return b.String()
}

// ttyLine: "label [=====>    ] 45% 4500/10000 1.2k/s ETA 5s  (3 failed)",
// cut to the terminal width because a wrapped line cannot be redrawn with
// \r. The bar's width depends only on the label and terminal, never on the
// changing stats, so it does not jump between frames.
func (p *Progress) ttyLine(now time.Time, final bool) string {
	width := p.ios.TerminalWidth() - 1 // writing the last column makes some terminals wrap
	line := p.label
	if p.total > 0 {
		if w := min(maxBarWidth, width-Width(p.label)-statsReserve-2); w >= minBarWidth {
			line += " " + Bar(p.done, p.total, w)
		}
	}
	return Truncate(line+" "+p.ttyStats(now, final), width)
}

func (p *Progress) ttyStats(now time.Time, final bool) string {
	var parts []string
	if p.total > 0 {
		parts = append(parts, fmt.Sprintf("%d%%", percent(p.done, p.total)), fmt.Sprintf("%d/%d", p.done, p.total))
	} else {
		parts = append(parts, fmt.Sprintf("%d", p.done))
	}
	r := p.currentRate(now, final)
	if r > 0 {
		parts = append(parts, compactRate(r)+"/s")
	}
	if final {
		parts = append(parts, "in "+Duration(now.Sub(p.start)))
	} else if eta, ok := p.eta(r); ok {
		parts = append(parts, "ETA "+Duration(eta))
	}
	s := strings.Join(parts, " ")
	if p.failed > 0 {
		s += fmt.Sprintf("  (%d failed)", p.failed)
	}
	return s
}

func (p *Progress) eta(rate float64) (time.Duration, bool) {
	remaining := p.total - p.done
	if p.total <= 0 || remaining <= 0 || rate <= 0 {
		return 0, false
	}
	secs := math.Ceil(float64(remaining) / rate)
	if secs > float64(math.MaxInt64/int64(time.Second)) {
		return 0, false
	}
	return time.Duration(secs) * time.Second, true
}

// Bar draws "[=====>    ]" with width cells between the brackets.
func Bar(done, total int64, width int) string {
	filled := int(min(done, total) * int64(width) / total)
	filled = max(filled, 0)
	switch {
	case filled >= width:
		return "[" + strings.Repeat("=", width) + "]"
	case filled == 0:
		return "[" + strings.Repeat(" ", width) + "]"
	default:
		return "[" + strings.Repeat("=", filled-1) + ">" + strings.Repeat(" ", width-filled) + "]"
	}
}

func percent(done, total int64) int64 {
	if total <= 0 {
		return 0
	}
	return max(0, min(100, done*100/total))
}

// plainRate keeps logs grep-friendly: whole numbers, one decimal when small.
func plainRate(r float64) string {
	if r < 10 {
		return fmt.Sprintf("%.1f", r)
	}
	return fmt.Sprintf("%.0f", r)
}

// compactRate saves terminal columns: "950", "1.2k", "3.4M".
func compactRate(r float64) string {
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.1fM", r/1e6)
	case r >= 1e3:
		return fmt.Sprintf("%.1fk", r/1e3)
	default:
		return plainRate(r)
	}
}

// rateMeter is an exponentially weighted moving average of events/second
// with a time-based weight, so irregular Update cadence does not bias it.
type rateMeter struct {
	at     time.Time
	done   int64
	perSec float64
	primed bool
}

func (m *rateMeter) observe(now time.Time, done int64) {
	dt := now.Sub(m.at)
	if dt < rateSampleInterval {
		return
	}
	inst := float64(done-m.done) / dt.Seconds()
	if !m.primed {
		m.perSec, m.primed = inst, true
	} else {
		alpha := 1 - math.Exp(-dt.Seconds()/rateTimeConstant.Seconds())
		m.perSec += alpha * (inst - m.perSec)
	}
	// Counts can move backwards (a retried batch); a negative rate means nothing.
	m.perSec = max(m.perSec, 0)
	m.at, m.done = now, done
}
