package replay

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
)

// NewOwner names this process for leases and requests: host, pid and a
// random suffix, so two processes on one host (or a restarted one reusing a
// pid) never share an identity.
func NewOwner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}
