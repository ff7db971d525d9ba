package seed

import (
	"math/rand/v2"

	"github.com/integr8scode/replayctl/internal/uuid"
)

// uuid4 returns a random (version 4, RFC 9562 variant) UUID string drawn from
// r, so that a seeded generator yields the same ids on every run.
func uuid4(r *rand.Rand) string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return uuid.Format(b)
}

// hexString returns n random lowercase hex characters (pod hashes, ids).
func hexString(r *rand.Rand, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.IntN(16)]
	}
	return string(b)
}
