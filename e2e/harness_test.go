package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// workerConfig is the config file every child reads (REPLAYCTL_CONFIG): the
// worker settings come from its context, so the file path is tested too.
// A short lease makes failover quick; debug logs help when a test fails.
const workerConfig = `current-context: e2e
contexts:
  - name: e2e
    worker:
      poll-interval: 200ms
      lease-ttl: 3s
      shutdown-timeout: 20s
      log-level: debug
`

// platform is one test's share of a stack: its own database, topic prefix
// and config file, so scenarios never see each other's data.
type platform struct {
	t        *testing.T
	bin      string
	mongoURI string
	brokers  []string
	db       string
	prefix   string
	config   string
	st       *store.Store
}

func newPlatform(t *testing.T, bin string, brokers []string) *platform {
	t.Helper()
	stack := testenv.Shared(t)
	if brokers == nil {
		brokers = stack.KafkaBrokers()
	}
	db := testenv.Database(t)
	return setupPlatform(t, bin, stack.MongoURI(), brokers, db)
}

// setupPlatform gives a test its topic prefix and config file on db.
func setupPlatform(t *testing.T, bin, mongoURI string, brokers []string, db *mongo.Database) *platform {
	t.Helper()
	p := &platform{
		t: t, bin: bin, mongoURI: mongoURI, brokers: brokers, db: db.Name(),
		prefix: testenv.UniqueName(t, "e2e") + "_",
		config: filepath.Join(t.TempDir(), "config.yaml"),
		st:     store.FromClient(db.Client(), store.Options{Database: db.Name()}),
	}
	if err := os.WriteFile(p.config, []byte(workerConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// environ is the children's environment: this process's, without any
// REPLAYCTL_* that could point them elsewhere, plus the test's settings.
func (p *platform) environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REPLAYCTL_") {
			env = append(env, kv)
		}
	}
	return append(env,
		"REPLAYCTL_MONGO_URI="+p.mongoURI,
		"REPLAYCTL_DATABASE="+p.db,
		"REPLAYCTL_KAFKA_BROKERS="+strings.Join(p.brokers, ","),
		"REPLAYCTL_TOPIC_PREFIX="+p.prefix,
		// The embedded Kafka creates topics when a client asks, as a dev
		// stack's context does.
		"REPLAYCTL_KAFKA_AUTO_CREATE_TOPICS=true",
		"REPLAYCTL_CONFIG="+p.config,
		"REPLAYCTL_TIMEOUT=10s",
		"NO_COLOR=1",
	)
}

type result struct {
	stdout, stderr string
	code           int
}

// command is a replayctl command of the platform, not yet started.
func (p *platform) command(args ...string) *exec.Cmd {
	cmd := exec.Command(p.bin, args...)
	cmd.Env = p.environ()
	return cmd
}

// cli runs one replayctl command to completion.
func (p *platform) cli(args ...string) result {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.bin, args...)
	cmd.Env = p.environ()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		p.t.Fatalf("run replayctl %v: %v", args, err)
	}
	return result{stdout: out.String(), stderr: errOut.String(), code: cmd.ProcessState.ExitCode()}
}

var createdRE = regexp.MustCompile(`Created session (\S+)`)

// startDetached creates a session with the replay CLI, started for a worker
// to run, and returns its id.
func (p *platform) startDetached(args ...string) string {
	p.t.Helper()
	r := p.cli(append([]string{"replay", "create", "--start", "--detach"}, args...)...)
	m := createdRE.FindStringSubmatch(r.stderr)
	if r.code != 0 || m == nil {
		p.t.Fatalf("replay create %v: exit %d\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
	}
	return m[1]
}

func (p *platform) session(id string) *contract.Session {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := p.st.Sessions.Get(ctx, id)
	if err != nil {
		p.t.Fatalf("load session %s: %v", id, err)
	}
	return s
}

// waitStatus waits until the session reaches status.
func (p *platform) waitStatus(id string, status contract.SessionStatus, timeout time.Duration) *contract.Session {
	p.t.Helper()
	var last *contract.Session
	testenv.Eventually(p.t, timeout, func() bool {
		last = p.session(id)
		return last.Status == status
	}, "session %s %s (last seen: %s, %d replayed)", id, status, statusOf(last), replayedOf(last))
	return last
}

func statusOf(s *contract.Session) contract.SessionStatus {
	if s == nil {
		return ""
	}
	return s.Status
}

func replayedOf(s *contract.Session) int64 {
	if s == nil {
		return 0
	}
	return s.ReplayedEvents
}

// runLeases returns the run claims ever taken on a session, oldest first.
func (p *platform) runLeases(id string) []store.LeaseDoc {
	p.t.Helper()
	docs := testenv.FindAll[store.LeaseDoc](p.t, p.st.Leases().Collection(), bson.D{{Key: "session_id", Value: id}, {Key: "purpose", Value: "run"}})
	for i := 1; i < len(docs); i++ {
		for j := i; j > 0 && docs[j].Epoch < docs[j-1].Epoch; j-- {
			docs[j], docs[j-1] = docs[j-1], docs[j]
		}
	}
	return docs
}

// workerProc is one `replayctl worker` child process.
type workerProc struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd

	mu    sync.Mutex
	lines []string
	addr  string
	owner string

	exited chan struct{}
	code   int
}

// startWorker starts a worker with a health server on a free port and
// waits until it serves.
func (p *platform) startWorker(name string, args ...string) *workerProc {
	p.t.Helper()
	cmd := exec.Command(p.bin, append([]string{"worker", "--http-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = p.environ()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		p.t.Fatal(err)
	}
	w := &workerProc{t: p.t, name: name, cmd: cmd, exited: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("start worker %s: %v", name, err)
	}
	go w.collect(stderr)
	p.t.Cleanup(w.cleanup)
	testenv.Eventually(p.t, 30*time.Second, func() bool { return w.address() != "" || w.hasExited() },
		"worker %s serving", name)
	if w.hasExited() {
		p.t.Fatalf("worker %s exited at start with %d:\n%s", name, w.code, w.log())
	}
	return w
}

// collect keeps the worker's log lines and picks its address and identity
// out of them, then reaps the process.
func (w *workerProc) collect(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		var rec map[string]any
		_ = json.Unmarshal([]byte(line), &rec)
		w.mu.Lock()
		w.lines = append(w.lines, line)
		switch rec["msg"] {
		case "serving health and metrics":
			w.addr, _ = rec["addr"].(string)
		case "replayctl worker":
			w.owner, _ = rec["owner"].(string)
		}
		w.mu.Unlock()
	}
	_ = w.cmd.Wait()
	w.code = w.cmd.ProcessState.ExitCode()
	close(w.exited)
}

func (w *workerProc) address() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.addr
}

func (w *workerProc) identity() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.owner
}

func (w *workerProc) log() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.lines, "\n")
}

func (w *workerProc) hasExited() bool {
	select {
	case <-w.exited:
		return true
	default:
		return false
	}
}

// stop sends sig and waits for the exit; it returns the exit code and how
// long the worker took.
func (w *workerProc) stop(sig syscall.Signal, timeout time.Duration) (int, time.Duration) {
	w.t.Helper()
	start := time.Now()
	if err := w.cmd.Process.Signal(sig); err != nil {
		w.t.Fatalf("signal worker %s: %v", w.name, err)
	}
	select {
	case <-w.exited:
		return w.code, time.Since(start)
	case <-time.After(timeout):
		w.t.Fatalf("worker %s still running %s after %v:\n%s", w.name, timeout, sig, w.log())
		return -1, 0
	}
}

func (w *workerProc) cleanup() {
	if !w.hasExited() {
		_ = w.cmd.Process.Kill()
		<-w.exited
	}
	if w.t.Failed() {
		w.t.Logf("--- worker %s log ---\n%s", w.name, w.log())
	}
}

// get fetches a path from the worker's HTTP server.
func (w *workerProc) get(path string) (int, string) {
	w.t.Helper()
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get("http://" + w.address() + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// sample is one line of the Prometheus text format.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

var sampleRE = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$`)
var labelRE = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)

// metrics scrapes /metrics.
func (w *workerProc) metrics() []sample {
	w.t.Helper()
	code, body := w.get("/metrics")
	if code != http.StatusOK {
		w.t.Fatalf("worker %s /metrics: %d %s", w.name, code, body)
	}
	var out []sample
	for _, line := range strings.Split(body, "\n") {
		m := sampleRE.FindStringSubmatch(line)
		if m == nil || strings.HasPrefix(line, "#") {
			continue
		}
		s := sample{name: m[1], labels: map[string]string{}}
		for _, l := range labelRE.FindAllStringSubmatch(m[2], -1) {
			s.labels[l[1]] = l[2]
		}
		if _, err := fmt.Sscanf(m[3], "%g", &s.value); err != nil {
			continue
		}
		out = append(out, s)
	}
	return out
}

// sum adds the samples of name whose labels include match.
func sum(samples []sample, name string, match map[string]string) float64 {
	var total float64
	for _, s := range samples {
		if s.name != name {
			continue
		}
		ok := true
		for k, v := range match {
			if s.labels[k] != v {
				ok = false
			}
		}
		if ok {
			total += s.value
		}
	}
	return total
}

// createSession creates a session with `replay create ARGS -o json`, not
// started, and returns its id.
func (p *platform) createSession(args ...string) string {
	p.t.Helper()
	r := p.cli(append(append([]string{"replay", "create"}, args...), "-o", "json")...)
	var created struct {
		SessionID string `json:"session_id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &created); r.code != 0 || err != nil || created.SessionID == "" {
		p.t.Fatalf("replay create: exit %d, %v\nstdout: %s\nstderr: %s", r.code, err, r.stdout, r.stderr)
	}
	return created.SessionID
}

// background is a replayctl command running beside the test; read its
// output only after exited is closed.
type background struct {
	cmd            *exec.Cmd
	stdout, stderr *bytes.Buffer
	exited         chan struct{}
}

// startBackground starts a replayctl command; the test's cleanup kills it
// (continuing it first, in case the test stopped it) unless it has exited.
func (p *platform) startBackground(args ...string) *background {
	p.t.Helper()
	b := &background{cmd: p.command(args...), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, exited: make(chan struct{})}
	b.cmd.Stdout, b.cmd.Stderr = b.stdout, b.stderr
	if err := b.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	go func() { _ = b.cmd.Wait(); close(b.exited) }()
	p.t.Cleanup(func() {
		select {
		case <-b.exited:
		default:
			_ = b.cmd.Process.Signal(syscall.SIGCONT)
			_ = b.cmd.Process.Kill()
			<-b.exited
		}
	})
	return b
}
