package verify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/kafka"
)

// defaultReaders is how many clients read partitions in parallel.
const defaultReaders = 4

type tp struct {
	topic string
	part  int32
}

// readKafka reads the session's records from its target topics between
// the recorded offsets, several partitions in parallel.
func (s *Service) readKafka(ctx context.Context, sess *contract.Session, types map[string]struct{}, t *tally, rep *Report) error {
	admin, err := s.Consumer()
	if err != nil {
		return err
	}
	defer admin.Close()
	ranges, err := s.ranges(ctx, admin, sess, types, rep)
	if err != nil {
		return err
	}
	rep.Sources = append(rep.Sources, ranges...)
	var scanned atomic.Int64
	err = s.readParallel(ctx, ranges, []byte(sess.SessionID), t, &scanned)
	rep.Scanned = scanned.Load()
	return err
}

// ranges decides what to read of each partition: from the end offset
// recorded at the session's first start (or the log start) to the end
// offset recorded when its last run ended (or the current end).
func (s *Service) ranges(ctx context.Context, admin *kgo.Client, sess *contract.Session, types map[string]struct{}, rep *Report) ([]Source, error) {
	prov := provenanceOf(sess)
	topics := s.topicsOf(sess, types)
	var startRec, endRec map[tp]int64
	if prov != nil && prov.StartOffsetsAt != nil {
		startRec = offsetMap(prov.StartOffsets)
		for _, to := range prov.StartOffsets {
			topics = append(topics, to.Topic)
		}
	} else {
		rep.Warnings = append(rep.Warnings, "the session recorded no start offsets: read its target topics from the beginning")
	}
	if prov != nil && prov.EndOffsetsAt != nil {
		endRec = offsetMap(prov.EndOffsets)
	} else {
		rep.Warnings = append(rep.Warnings, "the session recorded no end offsets (its last run did not end cleanly, or it predates them): read to the topics' current end")
	}
	topics = dedupe(topics)
	starts, err := kafka.StartOffsets(ctx, admin, topics)
	if err != nil {
		return nil, err
	}
	ends, err := kafka.EndOffsets(ctx, admin, topics)
	if err != nil {
		return nil, err
	}
	logStart := offsetMap(starts)
	var out []Source
	for _, to := range ends {
		for _, p := range to.Partitions {
			k := tp{to.Topic, p.Partition}
			from := logStart[k]
			if rec, ok := startRec[k]; ok {
				from = max(from, rec)
			}
			until := p.Offset
			if rec, ok := endRec[k]; ok {
				until = min(until, rec)
			}
			if from < until {
				out = append(out, Source{Topic: to.Topic, Partition: p.Partition, From: from, To: until})
			}
		}
	}
	return out, nil
}

func offsetMap(list []contract.TopicOffsets) map[tp]int64 {
	m := map[tp]int64{}
	for _, to := range list {
		for _, p := range to.Partitions {
			m[tp{to.Topic, p.Partition}] = p.Offset
		}
	}
	return m
}

func dedupe(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// readParallel splits the ranges over several clients, each consuming its
// partitions directly (no group), and returns the first error.
func (s *Service) readParallel(ctx context.Context, ranges []Source, sessionID []byte, t *tally, scanned *atomic.Int64) error {
	n := s.Readers
	if n <= 0 {
		n = defaultReaders
	}
	n = min(n, len(ranges))
	if n == 0 {
		return nil
	}
	groups := make([][]Source, n)
	for i, r := range ranges {
		groups[i%n] = append(groups[i%n], r)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for _, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.readRanges(ctx, g, sessionID, t, scanned); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	return first
}

// readRanges consumes its partitions from their start until each reaches
// its end offset.
func (s *Service) readRanges(ctx context.Context, ranges []Source, sessionID []byte, t *tally, scanned *atomic.Int64) error {
	assign := map[string]map[int32]kgo.Offset{}
	left := map[tp]int64{}
	for _, r := range ranges {
		if assign[r.Topic] == nil {
			assign[r.Topic] = map[int32]kgo.Offset{}
		}
		assign[r.Topic][r.Partition] = kgo.NewOffset().At(r.From)
		left[tp{r.Topic, r.Partition}] = r.To
	}
	cl, err := s.Consumer(kgo.ConsumePartitions(assign), kgo.FetchMaxBytes(32<<20), kgo.FetchMaxPartitionBytes(8<<20))
	if err != nil {
		return err
	}
	defer cl.Close()
	for len(left) > 0 {
		fs := cl.PollRecords(ctx, 10000)
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("read the target topics (%d partition(s) not read to their end): %w", len(left), err)
		}
		if err := fetchError(fs); err != nil {
			return err
		}
		fs.EachPartition(func(p kgo.FetchTopicPartition) {
			k := tp{p.Topic, p.Partition}
			end, ok := left[k]
			if !ok {
				return
			}
			var n int64
			for _, r := range p.Records {
				if r.Offset >= end {
					break
				}
				n++
				if fromSession(r, sessionID) {
					t.record(r.Value)
				}
			}
			scanned.Add(n)
			if len(p.Records) > 0 && p.Records[len(p.Records)-1].Offset+1 >= end {
				delete(left, k)
			}
		})
	}
	return nil
}

// fetchError is the first error of a poll that retrying will not cure.
func fetchError(fs kgo.Fetches) error {
	var out error
	fs.EachError(func(topic string, part int32, err error) {
		if out != nil || kerr.IsRetriable(err) || errors.Is(err, context.Canceled) {
			return
		}
		var loss *kgo.ErrDataLoss
		if errors.As(err, &loss) {
			return // retention removed records: what is left is read
		}
		out = fmt.Errorf("read %s[%d]: %w", topic, part, err)
	})
	return out
}
