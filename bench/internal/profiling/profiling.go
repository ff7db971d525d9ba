// Package profiling holds what the benchmark programs share.
package profiling

import (
	"os"
	"runtime/pprof"
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
