// Package profiling holds what the benchmark programs share.
package profiling

import (
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"
)

// StartCPU writes a CPU profile to path until the returned func is called.
func StartCPU(path string) (func(), error) {
	return startFile(path, pprof.StartCPUProfile, pprof.StopCPUProfile)
}

// StartTrace writes an execution trace (go tool trace) to path until the
// returned func is called: where each goroutine ran, waited for a core or
// blocked, which a CPU profile cannot show.
func StartTrace(path string) (func(), error) {
	return startFile(path, trace.Start, trace.Stop)
}

// startFile runs begin on a new file at path; the returned func ends it
// and closes the file.
func startFile(path string, begin func(io.Writer) error, end func()) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := begin(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() {
		end()
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
