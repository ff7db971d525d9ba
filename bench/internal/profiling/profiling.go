// Package profiling holds what the benchmark programs share.
package profiling

import (
	"os"
	"runtime/pprof"
	"runtime/trace"
)

// StartCPU writes a CPU profile to path until the returned func is called.
func StartCPU(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}

// StartTrace writes an execution trace (go tool trace) to path until the
// returned func is called: where each goroutine ran, waited for a core or
// blocked, which a CPU profile cannot show.
func StartTrace(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := trace.Start(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() {
		trace.Stop()
		_ = f.Close()
	}, nil
}

// WriteAllocs writes the allocation profile (every allocation since the
// program started, sampled) to path.
func WriteAllocs(path string) error { return WriteProfile("allocs", path) }

// WriteProfile writes the named runtime profile (allocs, block, mutex) to
// path.
func WriteProfile(name, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
