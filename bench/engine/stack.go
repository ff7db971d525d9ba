package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/integr8scode/replayctl/internal/devstack"
)

// The event store runs in a child process (this binary with -child-store):
// FerretDB's CPU for the session bookkeeping must not count as the engine's.
// kfake stays in this process, as the sink of both headline measurements;
// the calibration's kfake runs in a child of its own (broker.go).

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
	*childProc
	uri string
}

func startStoreProc() (*storeProc, error) {
	p, err := startChild("-child-store", "MONGO")
	if err != nil {
		return nil, err
	}
	return &storeProc{childProc: p, uri: p.line}, nil
}
