package e2e_test

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/integr8scode/replayctl/internal/testenv"
)

// mongoProxy stands between the children and the shared stack's MongoDB:
// taking it down refuses new connections and cuts the open ones, which is
// what clients see when MongoDB alone goes away, while Kafka and the data
// stay untouched. It comes back on the same port.
type mongoProxy struct {
	t      *testing.T
	addr   string
	target string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

func newMongoProxy(t *testing.T, targetURI string) *mongoProxy {
	t.Helper()
	target := strings.TrimSuffix(strings.TrimPrefix(targetURI, "mongodb://"), "/")
	p := &mongoProxy{t: t, addr: testenv.FreeAddr(t), target: target, conns: map[net.Conn]bool{}}
	p.up()
	t.Cleanup(p.down)
	return p
}

// uri replaces the stack's address with the proxy's in uri.
func (p *mongoProxy) uri(uri string) string { return strings.Replace(uri, p.target, p.addr, 1) }

func (p *mongoProxy) up() {
	p.t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("mongo proxy: listen on %s again: %v", p.addr, err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go p.accept(ln)
}

// down closes the listener and every open connection, and waits until all
// copying has stopped.
func (p *mongoProxy) down() {
	p.mu.Lock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *mongoProxy) accept(ln net.Listener) {
	defer p.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		if !p.track(c, s) {
			return
		}
		p.wg.Add(2)
		go p.pipe(c, s)
		go p.pipe(s, c)
	}
}

// track registers a connection pair unless the proxy went down meanwhile.
func (p *mongoProxy) track(c, s net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		_ = c.Close()
		_ = s.Close()
		return false
	}
	p.conns[c], p.conns[s] = true, true
	return true
}

func (p *mongoProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	// Errors are expected: cutting connections is the point.
	_, _ = io.Copy(dst, src)
	_ = dst.Close()
	_ = src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}
