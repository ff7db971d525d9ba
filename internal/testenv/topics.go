package testenv

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// readTimeout bounds one ReadToEnd: the records are already on the broker,
// so only a busy machine makes it slow.
const readTimeout = time.Minute

// ReadToEnd returns every record of topics, all partitions, from the start
// up to the end offsets they have when it is called. A topic that does not
// exist has no records.
//
// Tests that claim "each event exactly once" must read this way: a reader
// that stops after N records cannot see the duplicates behind them. When the
// records are produced asynchronously, first wait for the effect (a status
// in the database, or WaitRecords) and then read to the end.
func ReadToEnd(t testing.TB, brokers []string, topics ...string) []*kgo.Record {
	t.Helper()
	ranges := currentRanges(t, brokers, topics)
	if len(ranges) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	recs, err := consumeRanges(ctx, brokers, ranges)
	if err != nil {
		t.Fatalf("testenv: read %v to the end: %v", topics, err)
	}
	return recs
}

// WaitRecords waits up to timeout until topics hold at least n records in
// all, then returns ReadToEnd: every record, including any beyond n, so
// duplicates still show.
func WaitRecords(t testing.TB, brokers []string, n int, timeout time.Duration, topics ...string) []*kgo.Record {
	t.Helper()
	var have int64
	Eventually(t, timeout, func() bool {
		have = CountRecords(t, brokers, topics...)
		return have >= int64(n)
	}, "%v hold %d records (last count %d)", topics, n, have)
	return ReadToEnd(t, brokers, topics...)
}

// CountRecords returns how many records topics hold now (end minus start
// offsets), without reading them; a topic that does not exist holds none.
func CountRecords(t testing.TB, brokers []string, topics ...string) int64 {
	t.Helper()
	var n int64
	for _, parts := range currentRanges(t, brokers, topics) {
		for _, r := range parts {
			n += r.end - r.start
		}
	}
	return n
}

// currentRanges is offsetRanges of topics now, through a client of its own.
func currentRanges(t testing.TB, brokers []string, topics []string) map[string]map[int32]offsetRange {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	adm, closeAdm := admin(t, brokers)
	defer closeAdm()
	ranges, err := offsetRanges(ctx, adm, topics)
	if err != nil {
		t.Fatalf("testenv: offsets of %v: %v", topics, err)
	}
	return ranges
}

// admin is a client that never creates topics: asking about a topic must
// not bring it into being.
func admin(t testing.TB, brokers []string) (*kadm.Client, func()) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatalf("testenv: kafka client: %v", err)
	}
	return kadm.NewClient(cl), cl.Close
}

type offsetRange struct{ start, end int64 }

// offsetRanges returns, per topic and partition, the offsets that hold
// records now; partitions without records are left out.
func offsetRanges(ctx context.Context, adm *kadm.Client, topics []string) (map[string]map[int32]offsetRange, error) {
	starts, err := adm.ListStartOffsets(ctx, topics...)
	if err != nil {
		return nil, fmt.Errorf("start offsets: %w", err)
	}
	ends, err := adm.ListEndOffsets(ctx, topics...)
	if err != nil {
		return nil, fmt.Errorf("end offsets: %w", err)
	}
	out := map[string]map[int32]offsetRange{}
	var errs []string
	ends.Each(func(o kadm.ListedOffset) {
		if o.Err != nil {
			if !isUnknownTopic(o.Err) {
				errs = append(errs, fmt.Sprintf("%s[%d]: %v", o.Topic, o.Partition, o.Err))
			}
			return
		}
		start := int64(0)
		if s, ok := starts.Lookup(o.Topic, o.Partition); ok && s.Err == nil {
			start = s.Offset
		}
		if o.Offset <= start {
			return
		}
		if out[o.Topic] == nil {
			out[o.Topic] = map[int32]offsetRange{}
		}
		out[o.Topic][o.Partition] = offsetRange{start: start, end: o.Offset}
	})
	if len(errs) > 0 {
		return nil, fmt.Errorf("end offsets: %s", strings.Join(errs, "; "))
	}
	return out, nil
}

func isUnknownTopic(err error) bool { return errors.Is(err, kerr.UnknownTopicOrPartition) }

// consumeRanges reads each partition directly (no group, so nothing is
// committed or rebalanced) from its start until its end offset.
func consumeRanges(ctx context.Context, brokers []string, ranges map[string]map[int32]offsetRange) ([]*kgo.Record, error) {
	assign := map[string]map[int32]kgo.Offset{}
	left := 0
	for topic, parts := range ranges {
		assign[topic] = map[int32]kgo.Offset{}
		for p, r := range parts {
			assign[topic][p] = kgo.NewOffset().At(r.start)
			left++
		}
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumePartitions(assign))
	if err != nil {
		return nil, fmt.Errorf("kafka client: %w", err)
	}
	defer cl.Close()
	pos := map[string]map[int32]int64{}
	var recs []*kgo.Record
	for left > 0 {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%d partition(s) not read to their end offsets (positions %v, ends %v): %w",
				left, pos, ranges, err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			end := ranges[r.Topic][r.Partition].end
			if r.Offset >= end {
				return // produced after the end offsets were taken
			}
			recs = append(recs, r)
			if pos[r.Topic] == nil {
				pos[r.Topic] = map[int32]int64{}
			}
			if pos[r.Topic][r.Partition] < end && r.Offset+1 >= end {
				left--
			}
			pos[r.Topic][r.Partition] = r.Offset + 1
		})
	}
	return recs, nil
}

// AssertEachOnce fails the test (without stopping it) unless every id in
// want was seen exactly once and nothing else was; seen counts the
// arrivals per id. The message names the missing, duplicated and
// unexpected ids. It reports whether the check passed.
func AssertEachOnce(t testing.TB, what string, want []string, seen map[string]int) bool {
	t.Helper()
	missing, dups, extra := compareIDs(want, seen)
	if len(missing)+len(dups)+len(extra) == 0 {
		return true
	}
	t.Errorf("%s: want each of %d ids exactly once; %s", what, len(want), describe(seen, missing, dups, extra))
	return false
}

// AssertEachAtLeastOnce fails the test (without stopping it) unless every
// id in want was seen and nothing else was; it returns the number of
// duplicate arrivals, for a test to hold against what the code under test
// declared as possible duplicates.
func AssertEachAtLeastOnce(t testing.TB, what string, want []string, seen map[string]int) (duplicates int) {
	t.Helper()
	missing, dups, extra := compareIDs(want, seen)
	for _, d := range dups {
		duplicates += seen[d] - 1
	}
	if len(missing)+len(extra) > 0 {
		t.Errorf("%s: want each of %d ids at least once; %s", what, len(want), describe(seen, missing, dups, extra))
	}
	return duplicates
}

func compareIDs(want []string, seen map[string]int) (missing, dups, extra []string) {
	wanted := make(map[string]bool, len(want))
	for _, id := range want {
		wanted[id] = true
		if seen[id] == 0 {
			missing = append(missing, id)
		}
	}
	for id, n := range seen {
		switch {
		case !wanted[id]:
			extra = append(extra, id)
		case n > 1:
			dups = append(dups, id)
		}
	}
	sort.Strings(dups)
	sort.Strings(extra)
	return missing, dups, extra
}

// maxListed keeps a failure message readable when everything went wrong.
const maxListed = 10

func describe(seen map[string]int, missing, dups, extra []string) string {
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, fmt.Sprintf("%d missing %s", len(missing), list(missing)))
	}
	if len(dups) > 0 {
		counted := make([]string, len(dups))
		for i, id := range dups {
			counted[i] = fmt.Sprintf("%s×%d", id, seen[id])
		}
		parts = append(parts, fmt.Sprintf("%d duplicated %s", len(dups), list(counted)))
	}
	if len(extra) > 0 {
		parts = append(parts, fmt.Sprintf("%d unexpected %s", len(extra), list(extra)))
	}
	return strings.Join(parts, "; ")
}

func list(ids []string) string {
	if len(ids) > maxListed {
		return fmt.Sprintf("%v and %d more", ids[:maxListed], len(ids)-maxListed)
	}
	return fmt.Sprint(ids)
}
