package main

import (
	"runtime"
	"syscall"
	"time"
)

// sample is what one measured phase cost the whole process.
type sample struct {
	events int
	wall   time.Duration
	cpu    time.Duration // user + system CPU of the process (getrusage)
	allocs uint64        // heap allocations (runtime.MemStats.Mallocs)
	broker time.Duration // CPU of the broker's process, when it runs apart
}

func (s sample) rate() float64 { return float64(s.events) / s.wall.Seconds() }

func (s sample) cpuMicrosPerEvent() float64 {
	return float64(s.cpu.Microseconds()) / float64(s.events)
}

func (s sample) brokerMicrosPerEvent() float64 {
	return float64(s.broker.Microseconds()) / float64(s.events)
}

// cores is how many cores the process kept busy on average.
func (s sample) cores() float64 { return s.cpu.Seconds() / s.wall.Seconds() }

func (s sample) allocsPerEvent() float64 { return float64(s.allocs) / float64(s.events) }

// measure runs fn as one measured phase of n events, and the CPU of
// broker's process over it when broker is not nil. A collection first
// keeps the garbage of earlier phases out of this one's CPU.
func measure(n int, broker *childProc, fn func() error) (sample, error) {
	var b0, b1 time.Duration
	var err error
	if broker != nil {
		if b0, err = broker.cpu(); err != nil {
			return sample{}, err
		}
	}
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0 := processCPU()
	start := time.Now()
	err = fn()
	wall := time.Since(start)
	cpu1 := processCPU()
	runtime.ReadMemStats(&m1)
	if broker != nil {
		var berr error
		if b1, berr = broker.cpu(); berr != nil && err == nil {
			err = berr
		}
	}
	return sample{events: n, wall: wall, cpu: cpu1 - cpu0, allocs: m1.Mallocs - m0.Mallocs, broker: b1 - b0}, err
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
