package kafka

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/integr8scode/replayctl/internal/contract"
)

// EndOffsets lists the end offset (the next offset to be written) of every
// partition of topics, sorted by topic and partition. Topics the cluster
// does not have are left out: a later reader treats them as empty at that
// point.
func EndOffsets(ctx context.Context, cl *kgo.Client, topics []string) ([]contract.TopicOffsets, error) {
	adm := kadm.NewClient(cl)
	topics, err := existing(ctx, adm, topics)
	if err != nil || len(topics) == 0 {
		return nil, err
	}
	listed, err := adm.ListEndOffsets(ctx, topics...)
	if err != nil {
		return nil, fmt.Errorf("list end offsets of %d topic(s): %w", len(topics), err)
	}
	// A partition that failed to list is left out: harmless where offsets
	// are recorded at a run's start or end (verify reads such a partition
	// from its log start, or to its current end). Verify's own listing
	// uses ListOffsets, which fails instead.
	out, _ := sortedOffsets(listed)
	return out, nil
}

// sortedOffsets is listed without the partitions that failed; err names
// them.
func sortedOffsets(listed kadm.ListedOffsets) (_ []contract.TopicOffsets, err error) {
	byTopic := map[string][]contract.PartitionOffset{}
	listed.Each(func(o kadm.ListedOffset) {
		if o.Err != nil {
			err = errors.Join(err, fmt.Errorf("%s[%d]: %w", o.Topic, o.Partition, o.Err))
			return
		}
		if o.Partition < 0 {
			return
		}
		byTopic[o.Topic] = append(byTopic[o.Topic], contract.PartitionOffset{Partition: o.Partition, Offset: o.Offset})
	})
	out := make([]contract.TopicOffsets, 0, len(byTopic))
	for t, ps := range byTopic {
		sort.Slice(ps, func(i, j int) bool { return ps[i].Partition < ps[j].Partition })
		out = append(out, contract.TopicOffsets{Topic: t, Partitions: ps})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Topic < out[j].Topic })
	return out, err
}

// StartOffsets lists the log start offset of every partition of topics,
// like EndOffsets.
func StartOffsets(ctx context.Context, cl *kgo.Client, topics []string) ([]contract.TopicOffsets, error) {
	adm := kadm.NewClient(cl)
	topics, err := existing(ctx, adm, topics)
	if err != nil || len(topics) == 0 {
		return nil, err
	}
	listed, err := adm.ListStartOffsets(ctx, topics...)
	if err != nil {
		return nil, fmt.Errorf("list start offsets of %d topic(s): %w", len(topics), err)
	}
	out, _ := sortedOffsets(listed) // as in EndOffsets
	return out, nil
}

// ListOffsets lists the log start and end offsets of every partition of
// topics, like StartOffsets and EndOffsets, but fails when any partition
// could not be listed: a reader that must see every partition cannot
// leave one out.
func ListOffsets(ctx context.Context, cl *kgo.Client, topics []string) (starts, ends []contract.TopicOffsets, err error) {
	adm := kadm.NewClient(cl)
	topics, err = existing(ctx, adm, topics)
	if err != nil || len(topics) == 0 {
		return nil, nil, err
	}
	ls, err := adm.ListStartOffsets(ctx, topics...)
	if err != nil {
		return nil, nil, fmt.Errorf("list start offsets of %d topic(s): %w", len(topics), err)
	}
	if starts, err = sortedOffsets(ls); err != nil {
		return nil, nil, fmt.Errorf("list start offsets: %w", err)
	}
	le, err := adm.ListEndOffsets(ctx, topics...)
	if err != nil {
		return nil, nil, fmt.Errorf("list end offsets of %d topic(s): %w", len(topics), err)
	}
	if ends, err = sortedOffsets(le); err != nil {
		return nil, nil, fmt.Errorf("list end offsets: %w", err)
	}
	return starts, ends, nil
}

// existing keeps the topics the cluster has. It asks for the metadata of
// every topic rather than of these: a client set to create topics on demand
// (the dev stack) would otherwise create each one it names.
func existing(ctx context.Context, adm *kadm.Client, topics []string) ([]string, error) {
	if len(topics) == 0 {
		return nil, nil
	}
	meta, err := adm.Metadata(ctx)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	var out []string
	for _, t := range topics {
		if td, ok := meta.Topics[t]; ok && td.Err == nil {
			out = append(out, t)
		}
	}
	return out, nil
}
