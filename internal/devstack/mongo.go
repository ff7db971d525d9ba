package devstack

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"sync"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// ferretNewMu serialises ferretdb.New: it writes a package-level variable
// (version.Get().Package), which is a data race when tests start stacks in
// parallel.
var ferretNewMu sync.Mutex

// startMongo starts FerretDB on opts.MongoAddr with its SQLite files in
// opts.DataDir.
func (s *Stack) startMongo(opts Options) error {
	dir, err := prepareDir(opts.DataDir)
	if err != nil {
		return err
	}
	// ferretdb.New opens the SQLite backend before it listens, and when the
	// listen fails it never closes that backend; a FerretDB leak-tracking
	// finalizer then panics the whole process at a later GC. So check that
	// the listen will succeed before calling New.
	if err := probeListen(opts.MongoAddr); err != nil {
		return addrError("MongoDB (FerretDB)", opts.MongoAddr, "--mongo-addr", err)
	}
	ferretNewMu.Lock()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: opts.MongoAddr},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		Logger:    ferretLogger(opts.Logger),
	})
	ferretNewMu.Unlock()
	if err != nil && isAddrInUse(err) { // taken between probe and New
		return addrError("MongoDB (FerretDB)", opts.MongoAddr, "--mongo-addr", err)
	}
	if err != nil {
		return fmt.Errorf("devstack: start MongoDB (FerretDB) on %s with data in %s: %w", opts.MongoAddr, dir, err)
	}
	// Nothing may fail between New and Run: an unrun FerretDB leaks its
	// backend too, with the same finalizer panic.
	s.runMongo(f)
	return nil
}

// runMongo runs FerretDB in the background. Run owns the listener and the
// SQLite pools: it must run for the server to accept connections, and it
// closes everything once its context is cancelled.
func (s *Stack) runMongo(f *ferretdb.FerretDB) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx) // always nil in v1.24.0
	}()
	s.mongoURI, s.stopMongo, s.mongoDone = dialableURI(f.MongoDBURI()), cancel, done
}

// probeListen listens on addr and closes at once. A listener that never
// accepted leaves no TIME_WAIT, so the port is free again immediately.
func probeListen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return ln.Close()
}

// dialableURI swaps a wildcard host in FerretDB's URI for loopback. The
// host is always the listener's IP literal, so parsing cannot really fail;
// if it did, the URI is left as it is.
func dialableURI(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	addr, err := net.ResolveTCPAddr("tcp", u.Host)
	if err != nil {
		return raw
	}
	u.Host = loopbackAddr(addr)
	return u.String()
}
