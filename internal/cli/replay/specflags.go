package replaycmd

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/replay"
)

// specFlags binds the filter, target and pacing flags shared by create,
// preview and run. It remembers the flag set so that a --from-file spec is
// loaded first and only the flags the operator actually typed override it.
type specFlags struct {
	fs       *pflag.FlagSet
	fromFile string
	v        replay.Spec
	topicMap map[string]string
	retry    int
}

// specFlagNames lists every flag that shapes a Spec, in help order.
var specFlagNames = []string{
	"type", "exclude-type", "since", "until", "execution-id", "aggregate-id", "event-id", "user-id", "service",
	"target", "out", "topic-map", "speed", "rate", "preserve-timestamps", "batch-size", "max-events",
	"fail-fast", "retry-attempts", "dry-run", "replay-type", "allow-unknown-type", replay.AllowMissingTopicsFlag, "from-file",
}

func addSpecFlags(cmd *cobra.Command) *specFlags {
	s := &specFlags{fs: cmd.Flags()}
	fs := cmd.Flags()
	fs.StringSliceVar(&s.v.Types, "type", nil, "replay only these event `TYPE`s (repeatable, or comma separated)")
	fs.StringSliceVar(&s.v.ExcludeTypes, "exclude-type", nil, "skip these event `TYPE`s (repeatable, or comma separated)")
	fs.StringVar(&s.v.Since, "since", "", "events at or after `TIME`: a duration back from now (\"2h\", \"1d12h\"), an RFC 3339 time or a date")
	fs.StringVar(&s.v.Until, "until", "", "events at or before `TIME`: the same forms as --since")
	fs.StringVar(&s.v.ExecutionID, "execution-id", "", "events of the execution `ID`")
	fs.StringVar(&s.v.AggregateID, "aggregate-id", "", "events of the aggregate `ID`")
	fs.StringSliceVar(&s.v.EventIDs, "event-id", nil, "only events with these `ID`s (repeatable, or comma separated)")
	fs.StringVar(&s.v.UserID, "user-id", "", "events whose metadata.user_id is `ID`")
	fs.StringVar(&s.v.Service, "service", "", "events whose metadata.service_name is `NAME`")
	fs.StringVar(&s.v.Target, "target", contract.TargetKafka, "where events go: kafka or file")
	fs.StringVar(&s.v.Out, "out", "", "JSON Lines file `PATH` for --target file (\"-\" = stdout)")
	fs.StringToStringVar(&s.topicMap, "topic-map", nil, "send events of TYPE to TOPIC instead of the prefixed type name, as `TYPE=TOPIC` (repeatable, or comma separated)")
	fs.Float64Var(&s.v.Speed, "speed", 0, "replay at `X` times the original pace, 0.1 to 100 (default: as fast as possible)")
	fs.Float64Var(&s.v.Rate, "rate", 0, "cap the replay at `N` events per second (default: no cap)")
	fs.BoolVar(&s.v.PreserveTimestamps, "preserve-timestamps", false, "keep each event's original timestamp instead of the replay time")
	fs.IntVar(&s.v.BatchSize, "batch-size", 100, "read `N` events per batch, 1 to 1000")
	fs.Int64Var(&s.v.MaxEvents, "max-events", 0, "stop after `N` events (default: no limit)")
	fs.BoolVar(&s.v.FailFast, "fail-fast", false, "fail the session at the first event that cannot be sent")
	fs.IntVar(&s.retry, "retry-attempts", 3, "retry a rejected event `N` times before it counts as failed")
	fs.BoolVar(&s.v.DryRun, "dry-run", false, "read and validate every event but send nothing")
	fs.StringVar(&s.v.ReplayType, "replay-type", "", "store the replay `TYPE`: execution, time_range, event_type, query or recovery (default: derived from the filter)")
	fs.BoolVar(&s.v.AllowUnknownType, "allow-unknown-type", false, "accept --type values missing from the contract's list of event types")
	fs.BoolVar(&s.v.AllowMissingTopics, replay.AllowMissingTopicsFlag, false, "start a Kafka replay even if some target topics do not exist (their events then fail one by one)")
	fs.StringVar(&s.fromFile, "from-file", "", "read these settings from a YAML or JSON spec `FILE`; flags override it")
	// An empty map is no default worth printing as "[]".
	fs.Lookup("topic-map").DefValue = ""
	registerSpecCompletions(cmd)
	return s
}

// changed reports whether the operator gave any spec flag at all.
func (s *specFlags) changed() bool {
	for _, name := range specFlagNames {
		if s.fs.Changed(name) {
			return true
		}
	}
	return false
}

// spec merges the --from-file spec (if any) with the flags set explicitly.
func (s *specFlags) spec() (replay.Spec, error) {
	if err := s.checkExplicitZeros(); err != nil {
		return replay.Spec{}, err
	}
	var spec replay.Spec
	if s.fromFile != "" {
		loaded, err := replay.LoadSpecFile(s.fromFile)
		if err != nil {
			return replay.Spec{}, err
		}
		spec = loaded
	}
	for _, o := range s.overrides() {
		if s.fs.Changed(o.flag) {
			o.apply(&spec)
		}
	}
	return spec, nil
}

// checkExplicitZeros rejects zeros typed on the command line where the
// spec reads zero as "unset": --batch-size 0 must not quietly mean 100.
func (s *specFlags) checkExplicitZeros() error {
	if s.fs.Changed("batch-size") && s.v.BatchSize == 0 {
		return usageHint("invalid --batch-size 0: give 1 to 1000", "omit --batch-size for the default, 100")
	}
	if s.fs.Changed("speed") && s.v.Speed == 0 {
		return usageHint("invalid --speed 0: give a multiplier from 0.1 to 100", "omit --speed to replay as fast as possible")
	}
	return nil
}

type specOverride struct {
	flag  string
	apply func(*replay.Spec)
}

func (s *specFlags) overrides() []specOverride {
	v := s.v
	return []specOverride{
		// Lists go to the domain as typed: it trims them and refuses empty
		// elements, for a spec file as for flags.
		{"type", func(sp *replay.Spec) { sp.Types = v.Types }},
		{"exclude-type", func(sp *replay.Spec) { sp.ExcludeTypes = v.ExcludeTypes }},
		{"event-id", func(sp *replay.Spec) { sp.EventIDs = v.EventIDs }},
		{"since", func(sp *replay.Spec) { sp.Since = strings.TrimSpace(v.Since) }},
		{"until", func(sp *replay.Spec) { sp.Until = strings.TrimSpace(v.Until) }},
		{"execution-id", func(sp *replay.Spec) { sp.ExecutionID = strings.TrimSpace(v.ExecutionID) }},
		{"aggregate-id", func(sp *replay.Spec) { sp.AggregateID = strings.TrimSpace(v.AggregateID) }},
		{"user-id", func(sp *replay.Spec) { sp.UserID = strings.TrimSpace(v.UserID) }},
		{"service", func(sp *replay.Spec) { sp.Service = strings.TrimSpace(v.Service) }},
		{"target", func(sp *replay.Spec) { sp.Target = strings.ToLower(strings.TrimSpace(v.Target)) }},
		{"out", func(sp *replay.Spec) { sp.Out = v.Out }},
		{"topic-map", func(sp *replay.Spec) { sp.TopicMap = mergeTopicMap(sp.TopicMap, s.topicMap) }},
		{"speed", func(sp *replay.Spec) { sp.Speed = v.Speed }},
		{"rate", func(sp *replay.Spec) { sp.Rate = v.Rate }},
		{"preserve-timestamps", func(sp *replay.Spec) { sp.PreserveTimestamps = v.PreserveTimestamps }},
		{"batch-size", func(sp *replay.Spec) { sp.BatchSize = v.BatchSize }},
		{"max-events", func(sp *replay.Spec) { sp.MaxEvents = v.MaxEvents }},
		{"fail-fast", func(sp *replay.Spec) { sp.FailFast = v.FailFast }},
		{"retry-attempts", func(sp *replay.Spec) { n := s.retry; sp.RetryAttempts = &n }},
		{"dry-run", func(sp *replay.Spec) { sp.DryRun = v.DryRun }},
		{"replay-type", func(sp *replay.Spec) { sp.ReplayType = strings.TrimSpace(v.ReplayType) }},
		{"allow-unknown-type", func(sp *replay.Spec) { sp.AllowUnknownType = v.AllowUnknownType }},
		{replay.AllowMissingTopicsFlag, func(sp *replay.Spec) { sp.AllowMissingTopics = v.AllowMissingTopics }},
	}
}

// mergeTopicMap lets --topic-map add to or replace single entries of a
// spec file's map rather than dropping the whole map.
func mergeTopicMap(base, flags map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(flags))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range flags {
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out
}
