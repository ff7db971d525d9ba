package replaycmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/output"
)

const (
	// completionLimit bounds how many ids a completion offers.
	completionLimit = 50
	// completionScan is how many recent sessions are searched for a prefix;
	// the service has no prefix listing, so this bounds the work instead.
	completionScan = 500
)

// completeSessionIDs offers ids of recent sessions starting with the typed
// prefix, described by their status, for the first positional argument.
func completeSessionIDs(f *cmdutil.Factory) cobra.CompletionFunc {
	return cmdutil.CompleteFirstArg(func(ctx context.Context, prefix string) []cobra.Completion {
		return sessionCompletions(ctx, f, prefix)
	})
}

func sessionCompletions(ctx context.Context, f *cmdutil.Factory, prefix string) []cobra.Completion {
	svc, err := newService(ctx, f, false)
	if err != nil {
		return nil
	}
	page, err := svc.List(ctx, nil, completionScan)
	if err != nil {
		return nil
	}
	sessions := page.Items
	now := f.Now()
	var out []cobra.Completion
	for i := range sessions {
		s := &sessions[i]
		if !strings.HasPrefix(s.SessionID, prefix) {
			continue
		}
		desc := fmt.Sprintf("%s, %s, created %s", s.Status, s.Config.ReplayType, output.RelativeTime(now, s.CreatedAt))
		out = append(out, cobra.CompletionWithDesc(s.SessionID, desc))
		if len(out) == completionLimit {
			break
		}
	}
	return out
}

func fixed(values []string) cobra.CompletionFunc {
	return cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
}

func statusNames() []string { return cmdutil.Names(contract.SessionStatuses) }

// specTargets are the targets a replayctl runner can execute; the contract
// also names callback and test, which only the platform implements.
var specTargets = []string{contract.TargetKafka, contract.TargetFile}

func registerSpecCompletions(cmd *cobra.Command) {
	_ = cmd.RegisterFlagCompletionFunc("type", completeEventTypes)
	_ = cmd.RegisterFlagCompletionFunc("exclude-type", completeEventTypes)
	_ = cmd.RegisterFlagCompletionFunc("target", fixed(specTargets))
	_ = cmd.RegisterFlagCompletionFunc("replay-type", fixed(contract.ReplayTypes))
}

// completeEventTypes completes the item after the last comma, so
// "--type pod_created,pod_f<TAB>" works as well as repeated flags.
func completeEventTypes(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	head := ""
	if i := strings.LastIndex(toComplete, ","); i >= 0 {
		head = toComplete[:i+1]
	}
	var out []cobra.Completion
	for _, t := range contract.EventTypes() {
		if strings.HasPrefix(head+t, toComplete) {
			out = append(out, head+t)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
