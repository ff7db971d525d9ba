package uicmd_test

import (
	"bytes"
	"io"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/integr8scode/replayctl/internal/audit"
	uicmd "github.com/integr8scode/replayctl/internal/cli/ui"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dashboard"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// screen is the real dashboard model in a bubbletea program, over the
// env's source and actions on the embedded stack. teatest cannot be linked
// here: its golden package and internal/golden (through clitest) both
// define -update.
type screen struct {
	t    *testing.T
	p    *tea.Program
	out  *syncBuffer
	seen int // output already matched by a wait
	done chan tea.Model
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) from(i int) []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes()[i:])
}

func (e *env) dashboard(refresh time.Duration) *screen {
	e.t.Helper()
	m := dashboard.New(dashboard.Options{Source: e.source(), Actions: uicmd.NewActions(e.f), Refresh: refresh})
	in, _ := io.Pipe()
	s := &screen{t: e.t, out: &syncBuffer{}, done: make(chan tea.Model, 1)}
	s.p = tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(s.out), tea.WithoutSignals())
	go func() {
		fm, _ := s.p.Run()
		s.done <- fm
	}()
	s.p.Send(tea.WindowSizeMsg{Width: 100, Height: 30})
	e.t.Cleanup(func() { s.p.Kill() })
	return s
}

// waitFor waits until the output written since the last wait shows every
// one of want.
func (s *screen) waitFor(want ...string) {
	s.t.Helper()
	deadline := time.Now().Add(opTimeout)
	for {
		b := s.out.from(s.seen)
		ok := true
		for _, w := range want {
			ok = ok && bytes.Contains(b, []byte(w))
		}
		if ok {
			s.seen += len(b)
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %q; last output:\n%s", want, b)
		}
		time.Sleep(20 * time.Millisecond) // polling the output, bounded above
	}
}

func (s *screen) keys(keys ...string) {
	for _, k := range keys {
		switch k {
		case "enter":
			s.p.Send(tea.KeyMsg{Type: tea.KeyEnter})
		default:
			s.p.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
		}
	}
}

// frame quits and returns the final screen.
func (s *screen) frame() string {
	s.t.Helper()
	s.p.Quit()
	select {
	case m := <-s.done:
		return m.View()
	case <-time.After(opTimeout):
		s.t.Fatal("the dashboard did not quit")
		return ""
	}
}

// The bar, through the screen: p then y on a session a runner is
// streaming pauses it in MongoDB within 2 s of the confirmation.
func TestDashboardPausesARunningSessionWithin2s(t *testing.T) {
	e := newEnv(t)
	id, done := e.streamingSession()

	s := e.dashboard(time.Hour)
	s.waitFor(id[:12], "running")
	s.keys("p")
	s.waitFor("Pause session " + id[:12])
	confirmed := time.Now()
	s.keys("y")
	for e.session(id).Status != contract.StatusPaused {
		if time.Since(confirmed) > 2*time.Second {
			t.Fatalf("session %s not paused 2s after the confirmation", id)
		}
		time.Sleep(20 * time.Millisecond) // polling MongoDB, bounded above
	}
	t.Logf("paused in MongoDB %v after the confirmation", time.Since(confirmed).Round(time.Millisecond))
	s.waitFor("Paused session "+id[:12], "paused")
	e.wantAudit(audit.ReplayPause, id)
	await(t, done).Want(t, 0)
}

// Retrying a message from the messages view sends it once and leaves one
// audit record.
func TestDashboardRetriesAMessageOnce(t *testing.T) {
	e := newEnv(t)
	id := testenv.UUID()
	e.insertMsgs(e.msg(id, "execution_failed", "pending", "boom", time.Minute))

	s := e.dashboard(time.Hour)
	s.waitFor("MongoDB up")
	s.keys("4")
	s.waitFor(id[:12])
	s.keys("R")
	s.waitFor("Retry message " + id[:12])
	s.keys("y")
	s.waitFor("Retried 1 of 1 messages")
	testenv.AssertEachOnce(t, "retried events", []string{id}, e.recordsByKey(e.topic("execution_failed")))
	if st := e.dlqStatus(id); st != "retried" {
		t.Errorf("status %s, want retried", st)
	}
	e.wantAudit(audit.DLQRetry, id)
}

// With MongoDB cut off while the dashboard runs, the banner names it within
// two refreshes, the last data stays, and the dashboard recovers by itself.
func TestDashboardSurvivesAMongoOutage(t *testing.T) {
	e := newEnv(t)
	id := testenv.UUID()
	e.insertMsgs(e.msg(id, "execution_failed", "pending", "boom", time.Minute))
	proxy := testenv.MongoProxy(t, testenv.Shared(t).MongoURI())
	e.Vars[config.EnvMongoURI] = proxy.URI(testenv.Shared(t).MongoURI())
	e.f = e.NewFactory(e.f.IO)
	t.Cleanup(e.f.Close)

	const refresh = time.Second
	s := e.dashboard(refresh)
	s.keys("4")
	s.waitFor(id[:12], "MongoDB up")
	proxy.Down()
	down := time.Now()
	s.waitFor("MongoDB unreachable", "data from")
	// Two refreshes, each bounded by its one-second deadline, plus the
	// scheduling slack of a busy machine.
	if took := time.Since(down); took > 2*refresh+2*time.Second {
		t.Errorf("banner after %v, want within two refreshes", took)
	}
	t.Logf("banner %v after MongoDB went down", time.Since(down).Round(time.Millisecond))
	proxy.Up()
	s.waitFor("MongoDB up")
	frame := s.frame()
	if bytes.Contains([]byte(frame), []byte("unreachable")) || !bytes.Contains([]byte(frame), []byte(id[:12])) {
		t.Errorf("after MongoDB came back:\n%s", frame)
	}
}
