package testenv

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
)

// StrictKafka starts a private one-broker Kafka for one test that behaves as
// production clusters are configured: topics are never created on demand,
// only the given ones exist (each with partitions partitions). The returned
// cluster offers kfake's control functions (Control, ControlKey) to inject
// broker errors; it is closed when the test ends. Its brokers are
// cluster.ListenAddrs().
func StrictKafka(t testing.TB, partitions int32, topics ...string) *kfake.Cluster {
	t.Helper()
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.Ports(0)}
	if len(topics) > 0 {
		opts = append(opts, kfake.SeedTopics(partitions, topics...))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatalf("testenv: start strict kafka: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}
