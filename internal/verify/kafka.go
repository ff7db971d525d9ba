package verify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/kafka"
	"github.com/integr8scode/replayctl/internal/wait"
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
	var (
		scanned atomic.Int64
		mu      sync.Mutex
	)
	warn := func(w string) {
		mu.Lock()
		rep.Warnings = append(rep.Warnings, w)
		mu.Unlock()
	}
	err = s.readParallel(ctx, ranges, []byte(sess.SessionID), t, &scanned, warn)
	rep.Scanned = scanned.Load()
	return err
}

// ranges decides what to read of each partition: from the end offset
// recorded at the session's first start (or the log start) to the end
// offset recorded when its last run ended (or the current end).
func (s *Service) ranges(ctx context.Context, admin *kgo.Client, sess *contract.Session, types map[string]struct{}, rep *Report) ([]Source, error) {
	prov := provenanceOf(sess)
	topics := s.topicsOf(sess, types, rep)
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
	starts, ends, err := listOffsets(ctx, admin, topics)
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
				if from > rec {
					rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s[%d]: the log starts at %d, past the offset recorded at the session's first start (%d): %d offset(s) are gone (retention, or a recreated topic) and records the session sent there cannot be read", to.Topic, p.Partition, from, rec, from-rec))
				}
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

// listAttempts is how often verify lists offsets before it gives up.
const listAttempts = 3

// listOffsets lists every partition's log start and end offsets, retrying
// a failed listing; a partition that still fails fails verify as
// unavailable: left out, its events would all count as missing.
func listOffsets(ctx context.Context, admin *kgo.Client, topics []string) (starts, ends []contract.TopicOffsets, err error) {
	for attempt := 1; ; attempt++ {
		if starts, ends, err = kafka.ListOffsets(ctx, admin, topics); err == nil {
			return starts, ends, nil
		}
		if attempt == listAttempts || ctx.Err() != nil {
			return nil, nil, fault.New(fault.Unavailable, fmt.Errorf("list the target topics' offsets (%d attempts): %w", attempt, err))
		}
		if werr := wait.Sleep(ctx, time.Second); werr != nil {
			return nil, nil, werr
		}
	}
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
func (s *Service) readParallel(ctx context.Context, ranges []Source, sessionID []byte, t *tally, scanned *atomic.Int64, warn func(string)) error {
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
			if err := s.readRanges(ctx, g, sessionID, t, scanned, warn); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	return first
}

// stallAfter is how long verify polls without progress on any partition
// before it re-lists their offsets: the records up to a range's end may be
// gone (deleted by retention or DeleteRecords, a recreated topic), and no
// fetch would ever reach the end offset.
const stallAfter = 5 * time.Second

// readRanges consumes its partitions from their start until each reaches
// its end offset. Control records (transaction markers) are kept so that
// they count toward the end offset, as every offset does, but they are
// not records of the session.
func (s *Service) readRanges(ctx context.Context, ranges []Source, sessionID []byte, t *tally, scanned *atomic.Int64, warn func(string)) error {
	assign := map[string]map[int32]kgo.Offset{}
	left := map[tp]int64{}
	next := map[tp]int64{} // the next offset each partition has to read
	for _, r := range ranges {
		if assign[r.Topic] == nil {
			assign[r.Topic] = map[int32]kgo.Offset{}
		}
		assign[r.Topic][r.Partition] = kgo.NewOffset().At(r.From)
		k := tp{r.Topic, r.Partition}
		left[k], next[k] = r.To, r.From
	}
	cl, err := s.Consumer(kgo.ConsumePartitions(assign), kgo.FetchMaxBytes(32<<20), kgo.FetchMaxPartitionBytes(8<<20), kgo.KeepControlRecords())
	if err != nil {
		return err
	}
	defer cl.Close()
	finish := func(k tp) {
		delete(left, k)
		cl.PauseFetchPartitions(map[string][]int32{k.topic: {k.part}})
	}
	progress := time.Now()
	for len(left) > 0 {
		pctx, cancel := context.WithTimeout(ctx, stallAfter)
		fs := cl.PollRecords(pctx, 10000)
		cancel()
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("read the target topics (%d partition(s) not read to their end): %w", len(left), err)
		}
		if err := fetchError(fs); err != nil {
			return err
		}
		moved := false
		fs.EachPartition(func(p kgo.FetchTopicPartition) {
			k := tp{p.Topic, p.Partition}
			end, ok := left[k]
			if !ok || len(p.Records) == 0 {
				return
			}
			moved = true
			scanned.Add(tallyRecords(p.Records, end, sessionID, t))
			if next[k] = p.Records[len(p.Records)-1].Offset + 1; next[k] >= end {
				finish(k)
			}
		})
		if moved {
			progress = time.Now()
		} else if time.Since(progress) >= stallAfter {
			if err := s.finishGone(ctx, cl, left, next, finish, warn); err != nil {
				return err
			}
			progress = time.Now()
		}
	}
	return nil
}

// tallyRecords counts the session's data records below end and returns
// how many data records it scanned.
func tallyRecords(recs []*kgo.Record, end int64, sessionID []byte, t *tally) int64 {
	var n int64
	for _, r := range recs {
		if r.Offset >= end {
			break
		}
		if r.Attrs.IsControl() {
			continue
		}
		n++
		if fromSession(r, sessionID) {
			t.record(r.Value)
		}
	}
	return n
}

// finishGone re-lists the stalled partitions' offsets and finishes those
// that can no longer reach their end: the log now starts at or past it, or
// now ends where this reader already is. Each gets a warning.
func (s *Service) finishGone(ctx context.Context, cl *kgo.Client, left, next map[tp]int64, finish func(tp), warn func(string)) error {
	var topics []string
	for k := range left {
		topics = append(topics, k.topic)
	}
	topics = dedupe(topics)
	starts, err := kafka.StartOffsets(ctx, cl, topics)
	if err != nil {
		return err
	}
	ends, err := kafka.EndOffsets(ctx, cl, topics)
	if err != nil {
		return err
	}
	logStart, logEnd := offsetMap(starts), offsetMap(ends)
	for k, end := range left {
		ls, okS := logStart[k]
		le, okE := logEnd[k]
		switch {
		case okS && ls >= end:
			warn(fmt.Sprintf("%s[%d]: the log now starts at %d, past the end of the range (%d): offsets %d to %d are gone and were not read", k.topic, k.part, ls, end, next[k], end-1))
			finish(k)
		case okE && le <= next[k]:
			warn(fmt.Sprintf("%s[%d]: the log now ends at %d, before the end of the range (%d): offsets %d to %d are gone and were not read", k.topic, k.part, le, end, next[k], end-1))
			finish(k)
		}
	}
	return nil
}

// fetchError is the first error of a poll that retrying will not cure.
func fetchError(fs kgo.Fetches) error {
	var out error
	fs.EachError(func(topic string, part int32, err error) {
		// A deadline is a poll's own (stallAfter) or the caller's, which
		// the caller reports.
		if out != nil || kerr.IsRetriable(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
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
