package dlqcmd

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
)

const (
	// completionLimit bounds what a shell offers at once.
	completionLimit = 50
	// completionScan is how many recent messages are searched for an id
	// prefix: the domain has no prefix query, and completion must stay fast.
	completionScan = 1000
	// completionTimeout keeps a slow server from hanging the shell.
	completionTimeout = 3 * time.Second
)

func completeStatuses(_ *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	out := make([]cobra.Completion, len(contract.DLQStatuses))
	for i, s := range contract.DLQStatuses {
		out[i] = string(s)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func completeEventTypes(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, t := range contract.EventTypes() {
		if strings.HasPrefix(t, toComplete) {
			out = append(out, t)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// withManager runs fn against a read-only manager with a short deadline;
// any failure just means no suggestions.
func withManager(cmd *cobra.Command, f *cmdutil.Factory, fn func(context.Context, *dlq.Manager) []cobra.Completion) ([]cobra.Completion, cobra.ShellCompDirective) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, completionTimeout)
	defer cancel()
	m, err := newManager(ctx, f, managerNeeds{})
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
	}
	return fn(ctx, m), cobra.ShellCompDirectiveNoFileComp
}

// completeEventIDs offers event ids with "type status" as description;
// actionable limits them to messages retry and discard would accept.
func completeEventIDs(f *cmdutil.Factory, actionable bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if !actionable && len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return withManager(cmd, f, func(ctx context.Context, m *dlq.Manager) []cobra.Completion {
			filter := dlq.ListFilter{Limit: completionScan}
			if actionable {
				filter.Statuses = []contract.DLQStatus{contract.DLQPending, contract.DLQScheduled}
			}
			msgs, _, err := m.List(ctx, filter)
			if err != nil {
				return nil
			}
			return eventIDCompletions(msgs, toComplete, args)
		})
	}
}

func eventIDCompletions(msgs []contract.DLQMessage, prefix string, already []string) []cobra.Completion {
	var out []cobra.Completion
	for i := range msgs {
		id := msgs[i].EventID()
		if id == "" || !strings.HasPrefix(id, prefix) || contains(already, id) {
			continue
		}
		out = append(out, cobra.CompletionWithDesc(id, msgs[i].EventType()+" "+string(msgs[i].Status)))
		if len(out) == completionLimit {
			break
		}
	}
	return out
}

// completeTopics offers the original topics that have DLQ messages.
func completeTopics(f *cmdutil.Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return withManager(cmd, f, func(ctx context.Context, m *dlq.Manager) []cobra.Completion {
			sums, err := m.Topics(ctx, dlq.ListFilter{})
			return topicCompletions(sums, err, toComplete, func(s dlq.TopicSummary) string { return s.Topic })
		})
	}
}

// completeTopicArg completes the single TOPIC argument of policy commands.
func completeTopicArg(f *cmdutil.Factory) cobra.CompletionFunc {
	return firstArg(completeTopics(f))
}

// completeOverrideTopics offers the topics that have an override to unset.
func completeOverrideTopics(f *cmdutil.Factory) cobra.CompletionFunc {
	return firstArg(func(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return withManager(cmd, f, func(ctx context.Context, m *dlq.Manager) []cobra.Completion {
			overrides, err := m.Overrides(ctx)
			return topicCompletions(overrides.Items, err, toComplete, func(o dlq.Override) string { return o.Topic })
		})
	})
}

// firstArg limits fn to the first positional argument, for commands that
// take one.
func firstArg(fn cobra.CompletionFunc) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return fn(cmd, args, toComplete)
	}
}

// topicCompletions keeps the topics of rows that start with prefix; a
// failed read offers nothing.
func topicCompletions[T any](rows []T, err error, prefix string, topic func(T) string) []cobra.Completion {
	if err != nil {
		return nil
	}
	var out []cobra.Completion
	for _, r := range rows {
		if t := topic(r); strings.HasPrefix(t, prefix) {
			out = append(out, t)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
