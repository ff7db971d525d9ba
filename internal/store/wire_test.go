package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/store"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// sent is one command as it went on the wire.
type sent struct {
	Name, Collection string
	Command          bson.Raw
}

// wire records every command a client sends: the proof of what reached
// the server, whatever the code meant to send.
type wire struct {
	mu   sync.Mutex
	cmds []sent
}

func (w *wire) started(_ context.Context, e *event.CommandStartedEvent) {
	coll, _ := e.Command.Lookup(e.CommandName).StringValueOK()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cmds = append(w.cmds, sent{Name: e.CommandName, Collection: coll, Command: append(bson.Raw(nil), e.Command...)})
}

// take returns the commands recorded so far and forgets them.
func (w *wire) take() []sent {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.cmds
	w.cmds = nil
	return out
}

// monitoredStore connects a client of its own to the test's database with
// query appended to the URI (as an operator's --mongo-uri would carry it)
// and every command recorded.
func monitoredStore(t *testing.T, query string) (*store.Store, *wire) {
	t.Helper()
	db := testenv.Database(t)
	uri := testenv.Shared(t).MongoURI()
	if query != "" {
		sep := "?"
		if strings.Contains(uri, "?") {
			sep = "&"
		} else if !strings.HasSuffix(uri, "/") {
			uri += "/"
		}
		uri += sep + query
	}
	w := &wire{}
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetMonitor(&event.CommandMonitor{Started: w.started}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.Disconnect(c)
	})
	return store.FromClient(client, store.Options{URI: uri, Database: db.Name()}), w
}
