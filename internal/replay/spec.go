package replay

import (
	"bytes"
	"errors"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/integr8scode/replayctl/internal/fault"
	"go.yaml.in/yaml/v3"
)

// Spec is what an operator asks for, from flags or a --from-file spec. The
// keys match the flag names in snake_case, so a CI job's YAML reads like the
// command line it replaces.
type Spec struct {
	Types        []string `yaml:"types,omitempty" json:"types,omitempty"`
	ExcludeTypes []string `yaml:"exclude_types,omitempty" json:"exclude_types,omitempty"`
	EventIDs     []string `yaml:"event_ids,omitempty" json:"event_ids,omitempty"`
	// Since and Until are a duration back from now ("2h", "1d12h"), an
	// RFC 3339 time or a date; see flagvalue.ParseTime.
	Since       string `yaml:"since,omitempty" json:"since,omitempty"`
	Until       string `yaml:"until,omitempty" json:"until,omitempty"`
	ExecutionID string `yaml:"execution_id,omitempty" json:"execution_id,omitempty"`
	AggregateID string `yaml:"aggregate_id,omitempty" json:"aggregate_id,omitempty"`
	UserID      string `yaml:"user_id,omitempty" json:"user_id,omitempty"`
	Service     string `yaml:"service,omitempty" json:"service,omitempty"`
	// Target is "kafka" (the default) or "file".
	Target string `yaml:"target,omitempty" json:"target,omitempty"`
	// Out is the file of a file target; "-" is stdout. Both get JSON Lines.
	Out string `yaml:"out,omitempty" json:"out,omitempty"`
	// TopicMap maps an event type to a topic, used as is (no prefix added).
	TopicMap map[string]string `yaml:"topic_map,omitempty" json:"topic_map,omitempty"`
	// Speed is the contract's speed_multiplier; 0 means as fast as possible
	// (stored as 100).
	Speed float64 `yaml:"speed,omitempty" json:"speed,omitempty"`
	// Rate caps events per second; 0 means no cap.
	Rate               float64 `yaml:"rate,omitempty" json:"rate,omitempty"`
	PreserveTimestamps bool    `yaml:"preserve_timestamps,omitempty" json:"preserve_timestamps,omitempty"`
	// BatchSize is 1 to 1000; 0 means the contract default, 100.
	BatchSize int `yaml:"batch_size,omitempty" json:"batch_size,omitempty"`
	// MaxEvents stops the replay after that many events; 0 means no limit.
	MaxEvents int64 `yaml:"max_events,omitempty" json:"max_events,omitempty"`
	// FailFast is the opposite of the contract's skip_errors.
	FailFast bool `yaml:"fail_fast,omitempty" json:"fail_fast,omitempty"`
	// RetryAttempts is how often a rejected event is retried; nil means 3.
	RetryAttempts *int `yaml:"retry_attempts,omitempty" json:"retry_attempts,omitempty"`
	DryRun        bool `yaml:"dry_run,omitempty" json:"dry_run,omitempty"`
	// ReplayType is derived from the filter when empty (see NewSession).
	ReplayType       string `yaml:"replay_type,omitempty" json:"replay_type,omitempty"`
	AllowUnknownType bool   `yaml:"allow_unknown_type,omitempty" json:"allow_unknown_type,omitempty"`
	// AllowMissingTopics starts a Kafka replay even when some target topics
	// do not exist (see CheckTopics).
	AllowMissingTopics bool `yaml:"allow_missing_topics,omitempty" json:"allow_missing_topics,omitempty"`
}

// specKeys lists the keys a spec file may use, for error messages.
const specKeys = "types, exclude_types, event_ids, since, until, execution_id, aggregate_id, user_id, service, " +
	"target, out, topic_map, speed, rate, preserve_timestamps, batch_size, max_events, fail_fast, " +
	"retry_attempts, dry_run, replay_type, allow_unknown_type, allow_missing_topics"

// LoadSpecFile reads a spec from a YAML or JSON file (JSON is YAML here).
// Unknown keys and ill-typed values are usage errors naming the key and line.
func LoadSpecFile(path string) (Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Spec{}, fault.Invalidf("read spec file: %v", err)
	}
	var sp Spec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&sp); err != nil && !errors.Is(err, io.EOF) {
		return Spec{}, specFileError(path, err)
	}
	return sp, nil
}

var unknownField = regexp.MustCompile(`line (\d+): field (\S+) not found in type`)

func specFileError(path string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := unknownField.FindStringSubmatch(msg); m != nil {
		return fault.New(fault.Invalid, &SpecKeyError{Path: path, Line: m[1], Key: m[2]})
	}
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	lines := strings.Split(msg, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return fault.Invalidf("spec file %s: %s", path, strings.Join(lines, "; "))
}
