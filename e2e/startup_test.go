//go:build linux

package e2e_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestCommandsDoNotQueryTheTerminal runs `replayctl version` on a
// pseudo-terminal that, like a CI log or a serial console, never answers:
// a command must neither write terminal queries nor wait for their answers.
// bubbletea v1 queries the background colour from a package init() in every
// process that links it (third_party/bubbletea/README.md); this failed with
// 5.5 s and "\x1b]11;?\x1b\\\x1b[6n" before the dashboard's copy dropped it.
func TestCommandsDoNotQueryTheTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end tests start processes; skipped with -short")
	}
	bin := binary(t)
	for _, args := range [][]string{{"version"}, {"ui", "--help"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, took := onSilentTerminal(t, bin, args...)
			if bytes.Contains(out, []byte("\x1b]11;?")) || bytes.Contains(out, []byte("\x1b[6n")) {
				t.Errorf("replayctl %s queried the terminal: %q", strings.Join(args, " "), out)
			}
			// Far below the five seconds a query waits, far above a start
			// on two busy cores.
			if took > 3*time.Second {
				t.Errorf("replayctl %s took %v on a terminal that does not answer", strings.Join(args, " "), took)
			}
			if !bytes.Contains(out, []byte("replayctl")) {
				t.Errorf("no output: %q", out)
			}
		})
	}
}

// onSilentTerminal runs bin with a new pseudo-terminal as its controlling
// terminal, stdin, stdout and stderr, and returns what it wrote and how long
// it ran; nothing ever answers on the terminal.
func onSilentTerminal(t *testing.T, bin string, args ...string) ([]byte, time.Duration) {
	t.Helper()
	master, slave := openPTY(t)
	cmd := exec.Command(bin, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	_ = slave.Close()
	read := make(chan []byte, 1)
	go func() {
		// Reading the master ends with EIO once the child's side closes.
		b, _ := io.ReadAll(master)
		read <- b
	}()
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		took := time.Since(start)
		if err != nil {
			t.Errorf("replayctl %s: %v", strings.Join(args, " "), err)
		}
		select {
		case b := <-read:
			return b, took
		case <-time.After(10 * time.Second):
			t.Fatal("the terminal's output never ended")
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("replayctl %s did not exit in 30s", strings.Join(args, " "))
	}
	return nil, 0
}

func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { _ = m.Close() })
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	return m, s
}
