package testenv

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
)

// Proxy is a TCP relay in front of one server (in practice the shared
// stack's MongoDB). Down refuses new connections and cuts the open ones,
// which is what clients see when that server alone goes away (an election,
// a restart), while Kafka and the data stay untouched. Up brings it back on
// the same port.
type Proxy struct {
	t      testing.TB
	addr   string
	target string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

// MongoProxy starts a proxy in front of the MongoDB at targetURI (host:port
// form, as the shared stack's MongoURI is) and stops it when the test ends.
// Point the code under test at its URI; the test's own clients bypass it.
func MongoProxy(t testing.TB, targetURI string) *Proxy {
	t.Helper()
	target := strings.TrimSuffix(strings.TrimPrefix(targetURI, "mongodb://"), "/")
	p := &Proxy{t: t, addr: FreeAddr(t), target: target, conns: map[net.Conn]bool{}}
	p.Up()
	t.Cleanup(p.Down)
	return p
}

// URI replaces the target's address with the proxy's in uri.
func (p *Proxy) URI(uri string) string { return strings.Replace(uri, p.target, p.addr, 1) }

// Up listens again. Calling it while up fails the test.
func (p *Proxy) Up() {
	p.t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("testenv: proxy: listen on %s again: %v", p.addr, err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go p.accept(ln)
}

// Down closes the listener and every open connection, and waits until all
// copying has stopped. It may be called while down.
func (p *Proxy) Down() {
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

func (p *Proxy) accept(ln net.Listener) {
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
func (p *Proxy) track(c, s net.Conn) bool {
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

func (p *Proxy) pipe(dst, src net.Conn) {
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
