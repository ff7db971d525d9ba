package seed_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/integr8scode/replayctl/internal/devstack/seed"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// BenchmarkSeed10k measures seeding throughput on the embedded stack,
// indexes included. Run without -race (which slows FerretDB 7-10x).
func BenchmarkSeed10k(b *testing.B) {
	const n = 10_000
	for i := range b.N {
		db := testenv.Database(b)
		_, err := seed.Seed(context.Background(), db, seed.Options{Events: n, Rand: rand.New(rand.NewPCG(uint64(i), 9))})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
}
