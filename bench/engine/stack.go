package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/devstack"
)

// The event store runs in a child process (this binary with -child-store):
// FerretDB's CPU for the session bookkeeping must not count as the engine's.
// kfake stays in this process, as the sink of both measurements.

// runChildStore starts the embedded stack, prints its MongoDB URI and
// serves until stdin closes.
func runChildStore() error {
	dir, err := os.MkdirTemp("", "replayctl-bench-engine-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	stack, err := devstack.Start(ctx, devstack.Options{
		MongoAddr: "127.0.0.1:0", KafkaAddr: "127.0.0.1:0", DataDir: filepath.Join(dir, "mongo"),
	})
	cancel()
	if err != nil {
		return err
	}
	defer stack.Close()
	fmt.Printf("MONGO %s\n", stack.MongoURI())
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

// storeProc is the child process serving MongoDB.
type storeProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	uri   string
}

func startStoreProc() (*storeProc, error) {
	cmd := exec.Command(os.Args[0], "-child-store")
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
	p := &storeProc{cmd: cmd, stdin: stdin}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if uri, ok := strings.CutPrefix(sc.Text(), "MONGO "); ok {
			p.uri = uri
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return p, nil
		}
	}
	p.close()
	return nil, errors.New("the store process ended before it served MongoDB")
}

func (p *storeProc) close() {
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
