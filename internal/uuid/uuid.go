// Package uuid makes the random (version 4) UUIDs the platform's ids are,
// and that replayctl gives its own sessions, jobs and records.
package uuid

import (
	"crypto/rand"
	"encoding/hex"
)

// New returns a random version 4 UUID in its canonical 36-character form.
// Random leading digits also keep the short prefixes operators type unique.
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return Format(b)
}

// Format renders 16 bytes as a version 4 UUID, setting its version and
// variant bits (for ids drawn from another source, such as a seeded
// generator).
func Format(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
