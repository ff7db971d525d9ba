package testenv

import (
	"net"
	"testing"
)

// FreeAddr is a 127.0.0.1 address nothing listens on when it returns: for
// a server the test starts there, or for a client that must find nobody.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}
