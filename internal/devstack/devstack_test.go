package devstack_test

import (
	"context"
	"errors"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/devstack"
	"github.com/integr8scode/replayctl/internal/testenv"
)

const freeAddr = "127.0.0.1:0"

func start(t *testing.T, opts devstack.Options) *devstack.Stack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := devstack.Start(ctx, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func connect(t *testing.T, s *devstack.Stack) *mongo.Client {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(s.MongoURI()))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	return c
}

func disconnect(t *testing.T, c *mongo.Client) {
	t.Helper()
	if err := c.Disconnect(context.Background()); err != nil {
		t.Errorf("disconnect: %v", err)
	}
}

func kafkaClient(t *testing.T, s *devstack.Stack, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	opts = append([]kgo.Opt{kgo.SeedBrokers(s.KafkaBrokers()...), kgo.AllowAutoTopicCreation()}, opts...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatalf("kgo client: %v", err)
	}
	return cl
}

// freePort reserves a free port and releases it, for tests that need to know
// an address before starting the stack.
// takenPort is an address something else listens on until the test ends.
func takenPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", freeAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	return ln.Addr().String()
}

func TestStartServesMongoAndKafkaOnFreePorts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := start(t, devstack.Options{MongoAddr: freeAddr, KafkaAddr: freeAddr, DataDir: t.TempDir()})

	if !strings.HasPrefix(s.MongoURI(), "mongodb://127.0.0.1:") || strings.HasSuffix(s.MongoURI(), ":0/") {
		t.Fatalf("MongoURI = %q, want mongodb://127.0.0.1:<port>/", s.MongoURI())
	}
	if b := s.KafkaBrokers(); len(b) != 1 || strings.HasSuffix(b[0], ":0") {
		t.Fatalf("KafkaBrokers = %v, want one concrete address", b)
	}

	c := connect(t, s)
	defer disconnect(t, c)
	if _, err := c.Database("d").Collection("c").InsertOne(ctx, bson.D{{Key: "a", Value: 1}}); err != nil {
		t.Fatalf("insert: %v", err)
	}

	cl := kafkaClient(t, s, kgo.ConsumeTopics("t"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	defer cl.Close()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "t", Value: []byte("v")}).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
	fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if fs := cl.PollRecords(fctx, 1); fs.Err() != nil || fs.NumRecords() != 1 {
		t.Fatalf("consume: %d records, err %v", fs.NumRecords(), fs.Err())
	}
}

func TestAutoCreatedTopicsUseKafkaPartitions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := start(t, devstack.Options{MongoAddr: freeAddr, KafkaAddr: freeAddr, DataDir: t.TempDir(), KafkaPartitions: 5})
	cl := kafkaClient(t, s)
	defer cl.Close()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "parts", Value: []byte("v")}).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
	req := kmsgMetadata("parts")
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("metadata: %v", err)
	}
	if n := len(resp.Topics[0].Partitions); n != 5 {
		t.Fatalf("auto-created topic has %d partitions, want 5", n)
	}
}

func TestCloseIsIdempotentAndReleasesPorts(t *testing.T) {
	t.Parallel()
	s := start(t, devstack.Options{MongoAddr: freeAddr, KafkaAddr: freeAddr, DataDir: t.TempDir()})
	mongoHost := strings.TrimSuffix(strings.TrimPrefix(s.MongoURI(), "mongodb://"), "/")
	kafkaHost := s.KafkaBrokers()[0]
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	for _, addr := range []string{mongoHost, kafkaHost} {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("%s still taken after Close: %v", addr, err)
		}
		_ = ln.Close()
	}
}

func TestRestartOnSameDataDirKeepsData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir() + "/nested/data"
	opts := devstack.Options{MongoAddr: freeAddr, KafkaAddr: freeAddr, DataDir: dir}

	first := start(t, opts)
	c := connect(t, first)
	coll := c.Database("keep").Collection("docs")
	docs := []any{bson.D{{Key: "n", Value: 1}}, bson.D{{Key: "n", Value: 2}}, bson.D{{Key: "n", Value: 3}}}
	if _, err := coll.InsertMany(ctx, docs); err != nil {
		t.Fatalf("insert: %v", err)
	}
	idx := mongo.IndexModel{Keys: bson.D{{Key: "n", Value: 1}}, Options: options.Index().SetUnique(true).SetName("n_unique")}
	if _, err := coll.Indexes().CreateOne(ctx, idx); err != nil {
		t.Fatalf("create index: %v", err)
	}
	disconnect(t, c)
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("data dir mode = %v (err %v), want 0700", fi.Mode().Perm(), err)
	}

	second := start(t, opts)
	c = connect(t, second)
	defer disconnect(t, c)
	coll = c.Database("keep").Collection("docs")
	n, err := coll.CountDocuments(ctx, bson.D{})
	if err != nil || n != 3 {
		t.Fatalf("after restart: %d documents (err %v), want 3", n, err)
	}
	// The unique index survived too: a duplicate insert is refused.
	_, err = coll.InsertOne(ctx, bson.D{{Key: "n", Value: 2}})
	if !mongo.IsDuplicateKeyError(err) {
		t.Fatalf("duplicate insert after restart: err = %v, want duplicate key", err)
	}
}

func TestPortInUseNamesAddressAndFlag(t *testing.T) {
	t.Parallel()
	addr := takenPort(t)

	cases := []struct {
		name, flag string
		opts       devstack.Options
	}{
		{"mongo", "--mongo-addr", devstack.Options{MongoAddr: addr, KafkaAddr: freeAddr}},
		{"kafka", "--kafka-addr", devstack.Options{MongoAddr: freeAddr, KafkaAddr: addr}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.DataDir = t.TempDir()
			s, err := devstack.Start(context.Background(), tc.opts)
			if err == nil {
				_ = s.Close()
				t.Fatal("Start succeeded on a taken port")
			}
			if !errors.Is(err, devstack.ErrAddrInUse) {
				t.Errorf("error does not wrap ErrAddrInUse: %v", err)
			}
			for _, want := range []string{addr, tc.flag} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
	// A FerretDB whose listen failed inside ferretdb.New would panic the
	// binary from a finalizer here; Start must never get that far.
	runtime.GC()
	runtime.GC()
}

// A Kafka failure must not leave FerretDB running: the same Mongo address and
// data dir must be usable right away.
func TestFailedStartStopsWhatItStarted(t *testing.T) {
	t.Parallel()
	kafkaAddr := takenPort(t)
	mongoAddr := testenv.FreeAddr(t)
	dir := t.TempDir()

	_, err := devstack.Start(context.Background(), devstack.Options{MongoAddr: mongoAddr, KafkaAddr: kafkaAddr, DataDir: dir})
	if err == nil {
		t.Fatal("Start succeeded on a taken Kafka port")
	}
	start(t, devstack.Options{MongoAddr: mongoAddr, KafkaAddr: freeAddr, DataDir: dir})
}

func TestStartRequiresDataDir(t *testing.T) {
	t.Parallel()
	_, err := devstack.Start(context.Background(), devstack.Options{MongoAddr: freeAddr, KafkaAddr: freeAddr})
	if err == nil || !strings.Contains(err.Error(), "DataDir") {
		t.Fatalf("err = %v, want DataDir required", err)
	}
}
