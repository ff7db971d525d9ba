package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// The calibration broker: the same kfake in a child process (this binary
// with -child-kafka), so that what the broker costs per event is measured
// on its own (the child's CPU) and what the producing side costs without
// it (this process's CPU). The figure was replayctl's CPU with the
// broker in another process; in-process kfake is kept for the headline
// measurements because it is what both the rate and the raw produce share.

func newKfake() (*kfake.Cluster, error) {
	return kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(3))
}

// runChildKafka serves kfake, prints its brokers and serves until stdin
// closes.
func runChildKafka() error {
	kf, err := newKfake()
	if err != nil {
		return err
	}
	defer kf.Close()
	fmt.Printf("KAFKA %s\n", strings.Join(kf.ListenAddrs(), ","))
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

// childProc is a child of this binary serving something until its stdin
// closes; line is what it announced after its prefix.
type childProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	line  string
}

func startChild(flag, prefix string) (*childProc, error) {
	cmd := exec.Command(os.Args[0], flag)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &childProc{cmd: cmd, stdin: stdin}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), prefix+" "); ok {
			p.line = line
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return p, nil
		}
	}
	p.close()
	return nil, fmt.Errorf("the %s process ended before it announced %s", flag, prefix)
}

func (p *childProc) close() {
	_ = p.stdin.Close()
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// cpu is the child's CPU time so far: the sum of its threads' run time
// from /proc/PID/task/*/schedstat (nanoseconds; the 10 ms ticks of
// /proc/PID/stat are too coarse for a phase of a few hundred
// milliseconds). Go keeps its threads, so none's time is lost by exiting.
func (p *childProc) cpu() (time.Duration, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", p.cmd.Process.Pid))
	if err != nil || len(tasks) == 0 {
		return 0, errors.New("no /proc schedstat for the broker process: the calibration needs Linux")
	}
	var total time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue // a thread that just ended
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			continue
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("read %s: %w", t, err)
		}
		total += time.Duration(ns)
	}
	return total, nil
}
