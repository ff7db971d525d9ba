package worker

import (
	"math/rand/v2"
	"time"
)

// backoff is exponential back-off with +/-10% jitter, so workers that lost
// the same server do not come back in lockstep.
type backoff struct {
	base, max time.Duration
	n         int
}

func (b *backoff) next() time.Duration {
	d := b.base << min(b.n, 30)
	if d <= 0 || d > b.max {
		d = b.max
	}
	b.n++
	jitter := time.Duration((rand.Float64()*0.2 - 0.1) * float64(d))
	return max(d+jitter, time.Millisecond)
}

func (b *backoff) reset()        { b.n = 0 }
func (b *backoff) failing() bool { return b.n > 0 }
