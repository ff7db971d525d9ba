package dlq

import (
	"context"
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

// A processor whose role may not create indexes works where an
// administrator made them: a --once pass over a database that has every
// index sends listIndexes, never createIndexes (which would be refused
// with Unauthorized on a least-privilege role).
func TestProcessWhereEveryIndexExistsSendsNoCreateIndexes(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	if err := e.manager("admin").EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	// The embedded server has no TTL indexes; the platform's TTL on
	// created_at stands in as a plain index of the same keys.
	_, err := e.st.DLQ.Collection().Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "created_at", Value: 1}}})
	if err != nil {
		t.Fatal(err)
	}

	var (
		mu   sync.Mutex
		sent []string
	)
	monitor := &event.CommandMonitor{Started: func(_ context.Context, ev *event.CommandStartedEvent) {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, ev.CommandName)
	}}
	client, err := mongo.Connect(options.Client().ApplyURI(testenv.Shared(t).MongoURI()).SetMonitor(monitor))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.Disconnect(c)
	})
	m := e.manager("least-privilege")
	m.Store = store.FromClient(client, store.Options{Database: e.db.Name()})
	if _, err := m.Process(ctx, ProcessOptions{Once: true}); err != nil {
		t.Fatalf("process: %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	lists := 0
	for _, name := range sent {
		switch name {
		case "createIndexes":
			t.Errorf("createIndexes sent although every index exists")
		case "listIndexes":
			lists++
		}
	}
	if lists == 0 {
		t.Errorf("no listIndexes sent; commands: %v", sent)
	}
}
