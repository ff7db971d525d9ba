package testenv_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestSharedIsOneStack(t *testing.T) {
	t.Parallel()
	a, b := testenv.Shared(t), testenv.Shared(t)
	if a != b {
		t.Fatal("Shared returned two different stacks")
	}
	if a.MongoURI() == "" || len(a.KafkaBrokers()) != 1 {
		t.Fatalf("stack not usable: uri %q brokers %v", a.MongoURI(), a.KafkaBrokers())
	}
}

func TestDatabaseIsOwnAndDroppedAfterTest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var name string
	t.Run("uses", func(t *testing.T) {
		db := testenv.Database(t)
		if other := testenv.Database(t); other.Name() == db.Name() {
			t.Fatalf("two Database calls share %q", db.Name())
		}
		name = db.Name()
		if _, err := db.Collection("c").InsertOne(ctx, bson.D{{Key: "x", Value: 1}}); err != nil {
			t.Fatalf("insert: %v", err)
		}
	})
	names, err := testenv.Client(t).ListDatabaseNames(ctx, bson.D{})
	if err != nil {
		t.Fatalf("list databases: %v", err)
	}
	for _, n := range names {
		if n == name {
			t.Fatalf("database %s still exists after its test ended", name)
		}
	}
}

func TestKafkaRoundTrip(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	topic := testenv.UniqueName(t, "topic")
	cl := testenv.Kafka(t, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("hello")}).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
	fs := cl.PollRecords(ctx, 1)
	if err := fs.Err(); err != nil || fs.NumRecords() != 1 {
		t.Fatalf("consume: %d records, err %v", fs.NumRecords(), err)
	}
}

var validName = regexp.MustCompile(`^[A-Za-z0-9_]{1,63}$`)

func TestUniqueNameIsValidAndUnique(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, prefix := range []string{"db", "", "dlq.topic-Prefix", strings.Repeat("p", 100)} {
		for range 3 {
			n := testenv.UniqueName(t, prefix)
			if !validName.MatchString(n) {
				t.Errorf("UniqueName(%q) = %q: not a valid name", prefix, n)
			}
			if seen[n] {
				t.Errorf("UniqueName(%q) = %q twice", prefix, n)
			}
			seen[n] = true
		}
	}
	t.Run(strings.Repeat("very long subtest name ", 10), func(t *testing.T) {
		if n := testenv.UniqueName(t, "db"); !validName.MatchString(n) || !strings.HasPrefix(n, "db_TestUniqueName") {
			t.Errorf("long test name gave %q", n)
		}
	})
}

// fakeTB records Fatalf instead of stopping the goroutine.
type fakeTB struct {
	testing.TB
	fatal string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) { f.fatal = fmt.Sprintf(format, args...) }

func TestEventually(t *testing.T) {
	t.Parallel()
	calls := 0
	testenv.Eventually(t, time.Second, func() bool { calls++; return calls == 3 }, "third call")
	if calls != 3 {
		t.Fatalf("cond called %d times, want 3", calls)
	}

	f := &fakeTB{TB: t}
	start := time.Now()
	testenv.Eventually(f, 50*time.Millisecond, func() bool { return false }, "never %s", "true")
	if !strings.Contains(f.fatal, "never true") {
		t.Fatalf("Fatalf message = %q", f.fatal)
	}
	if d := time.Since(start); d < 50*time.Millisecond || d > time.Second {
		t.Fatalf("gave up after %v, want about 50ms", d)
	}
}
