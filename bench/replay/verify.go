package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/integr8scode/replayctl/internal/verify"
)

// verifyRates times, after the replays, a raw consume of the last round's
// topics and `replay verify` of its session, in this process: verify's read
// of the topics against the floor of reading the same records.
func (b *bench) verifyRates(ctx context.Context, prefix string) error {
	st := b.store(rateDB)
	var sess struct {
		SessionID string `bson:"session_id"`
	}
	opts := options.FindOne().SetSort(bson.D{{Key: "created_at", Value: -1}})
	if err := st.Sessions.Collection().FindOne(ctx, bson.D{{Key: "created_by", Value: "bench"}}, opts).Decode(&sess); err != nil {
		return fmt.Errorf("find the last replayed session: %w", err)
	}
	topics, err := b.topicsWithPrefix(ctx, prefix)
	if err != nil {
		return err
	}
	n, took, err := b.rawConsume(ctx, topics)
	if err != nil {
		return err
	}
	svc := &verify.Service{Store: st, TopicPrefix: prefix, Consumer: func(o ...kgo.Opt) (*kgo.Client, error) {
		return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(b.stack.KafkaBrokers()...)}, o...)...)
	}}
	start := time.Now()
	rep, err := svc.Verify(ctx, sess.SessionID)
	if err != nil {
		return fmt.Errorf("verify session %s: %w", sess.SessionID, err)
	}
	whole := time.Since(start)
	raw := rate(int(n), took)
	fmt.Println()
	fmt.Printf("verify of the last replay (%d events, %d topics):\n", rep.Expected, len(topics))
	fmt.Printf("  raw consume of the same topics    %8.0f records/s (%d records in %s)\n", raw, n, took.Round(time.Millisecond))
	fmt.Printf("  verify's read of the topics       %8.0f records/s (%d records in %.2fs) = %.2f x raw\n",
		rep.ReadRate, rep.Scanned, rep.ReadSeconds, rep.ReadRate/raw)
	fmt.Printf("  verify in all (selection + read)  %8.0f events/s  (%s; missing %d, duplicated %d, unexpected %d)\n",
		rate(int(rep.Expected), whole), whole.Round(time.Millisecond), rep.Missing, rep.Duplicated, rep.Unexpected)
	return nil
}

func (b *bench) topicsWithPrefix(ctx context.Context, prefix string) ([]string, error) {
	details, err := kadm.NewClient(b.kafka).ListTopics(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range details.Names() {
		if strings.HasPrefix(t, prefix) {
			out = append(out, t)
		}
	}
	return out, nil
}

// rawConsume reads every record of topics with one client, touching each
// record once.
func (b *bench) rawConsume(ctx context.Context, topics []string) (int64, time.Duration, error) {
	ends, err := kadm.NewClient(b.kafka).ListEndOffsets(ctx, topics...)
	if err != nil {
		return 0, 0, err
	}
	var want int64
	ends.Each(func(o kadm.ListedOffset) { want += max(o.Offset, 0) })
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.stack.KafkaBrokers()...), kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxBytes(32<<20), kgo.FetchMaxPartitionBytes(8<<20))
	if err != nil {
		return 0, 0, err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	start := time.Now()
	var n, bytes int64
	for n < want {
		fs := cl.PollRecords(ctx, 10000)
		if err := ctx.Err(); err != nil {
			return 0, 0, fmt.Errorf("raw consume read %d of %d records: %w", n, want, err)
		}
		fs.EachRecord(func(r *kgo.Record) { n++; bytes += int64(len(r.Value)) })
	}
	return n, time.Since(start), nil
}
