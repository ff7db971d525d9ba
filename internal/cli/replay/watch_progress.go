package replaycmd

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/output"
)

const (
	// watchLineInterval spaces out progress lines in logs, as output.Progress does.
	watchLineInterval = 5 * time.Second
	// watchRateHorizon smooths the rate over a few polls.
	watchRateHorizon = 3 * time.Second
	watchBarWidth    = 20
)

// watchProgress draws a session another process runs. output.Progress
// measures work done by this process from zero; a watched session starts
// part-way, so the rate here comes from the difference between polls.
type watchProgress struct {
	w     io.Writer
	tty   bool
	width int
	now   func() time.Time

	lastAt   time.Time
	lastDone int64
	rate     float64
	lastLine time.Time
	drawn    bool
	last     *contract.Session
}

func newWatchProgress(ios *output.IOStreams, now func() time.Time) *watchProgress {
	return &watchProgress{w: ios.ErrOut, tty: ios.IsStderrTTY(), width: ios.TerminalWidth(), now: now}
}

// observe records a new state of the session and redraws when due.
func (p *watchProgress) observe(s *contract.Session) {
	now := p.now()
	done := processed(s)
	if !p.lastAt.IsZero() {
		if dt := now.Sub(p.lastAt).Seconds(); dt > 0 {
			inst := math.Max(0, float64(done-p.lastDone)/dt)
			alpha := 1 - math.Exp(-dt/watchRateHorizon.Seconds())
			p.rate += alpha * (inst - p.rate)
		}
	}
	p.lastAt, p.lastDone, p.last = now, done, s
	if p.tty || now.Sub(p.lastLine) >= watchLineInterval {
		p.draw(now)
	}
}

// clear removes a drawn TTY line so a notice can take its place.
func (p *watchProgress) clear() {
	if p.tty && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// finish leaves the last state on its own line.
func (p *watchProgress) finish() {
	if p.tty && p.drawn {
		fmt.Fprintln(p.w)
	}
}

func (p *watchProgress) draw(now time.Time) {
	p.lastLine, p.drawn = now, true
	line := p.line()
	if p.tty {
		fmt.Fprintf(p.w, "\r%s\x1b[K", output.Truncate(line, p.width-1))
		return
	}
	fmt.Fprintln(p.w, line)
}

// line is "Session 3f1c9a1e0b2c running [=====>    ] 55% 55/100 24/s ETA 2s, 3 failed".
func (p *watchProgress) line() string {
	s := p.last
	parts := []string{"Session " + output.ShortID(s.SessionID), string(s.Status)}
	done := processed(s)
	if s.TotalEvents > 0 {
		if p.tty {
			parts = append(parts, output.Bar(done, s.TotalEvents, watchBarWidth))
		}
		parts = append(parts, fmt.Sprintf("%d%%", percent(done, s.TotalEvents)), fmt.Sprintf("%d/%d", done, s.TotalEvents))
	} else {
		parts = append(parts, fmt.Sprintf("%d", done))
	}
	if p.rate >= 0.05 && s.Status == contract.StatusRunning {
		parts = append(parts, fmt.Sprintf("%.0f/s", p.rate))
		if left := s.TotalEvents - done; s.TotalEvents > 0 && left > 0 {
			parts = append(parts, "ETA "+output.Duration(time.Duration(float64(left)/p.rate*float64(time.Second)).Round(time.Second)))
		}
	}
	out := strings.Join(parts, " ")
	if s.FailedEvents > 0 {
		out += fmt.Sprintf(", %d failed", s.FailedEvents)
	}
	return out
}
