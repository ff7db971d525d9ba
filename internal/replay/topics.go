package replay

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/kafka"
)

// AllowMissingTopicsFlag is the flag (allow_missing_topics in a spec file)
// that lets a replay start although some of its target topics are missing.
const AllowMissingTopicsFlag = "allow-missing-topics"

// MissingTopic is a target topic the cluster lacks, and the event types
// that would go to it.
type MissingTopic struct {
	Topic      string   `json:"topic"`
	EventTypes []string `json:"event_types"`
}

// MissingTopicsError refuses a replay before its first send: some event
// types it selects go to topics the cluster does not have. On a cluster that
// does not create topics on demand every such event would fail, one by one.
type MissingTopicsError struct {
	SessionID string // empty before the session is stored
	Topics    []MissingTopic
}

func (e *MissingTopicsError) Error() string {
	parts := make([]string, len(e.Topics))
	for i, t := range e.Topics {
		parts[i] = fmt.Sprintf("%s (for %s)", t.Topic, strings.Join(t.EventTypes, ", "))
	}
	what := "the replay"
	if e.SessionID != "" {
		what = "session " + e.SessionID
	}
	return fmt.Sprintf("%s would send to Kafka topics that do not exist: %s; nothing was sent",
		what, strings.Join(parts, "; "))
}

// TopicNames lists the missing topics.
func (e *MissingTopicsError) TopicNames() []string {
	out := make([]string, len(e.Topics))
	for i, t := range e.Topics {
		out[i] = t.Topic
	}
	return out
}

// CheckTopics refuses a Kafka replay of sess, with a *MissingTopicsError,
// when a topic it would send to does not exist. It reads the distinct event
// types the filter selects (one query) and the cluster's metadata. File
// targets, dry runs, sessions that allow missing topics and clients that
// ask for topic auto-creation pass.
func (s *Service) CheckTopics(ctx context.Context, sess *contract.Session) error {
	if !checksTopics(sess) {
		return nil
	}
	if s.Kafka == nil {
		return fmt.Errorf("check target topics: no Kafka client (internal error: Service.Kafka is nil)")
	}
	// A client configured to create topics (the kafka-auto-create-topics
	// setting: the dev stack and tests) declares that the cluster makes
	// them on the first send.
	if auto, _ := s.Kafka.OptValue(kgo.AllowAutoTopicCreation).(bool); auto {
		return nil
	}
	types, err := s.Store.Events.Types(ctx, sess.Config.Filter)
	if err != nil {
		return err
	}
	if len(types) == 0 {
		return nil
	}
	route := router{topics: sess.Config.TargetTopics, prefix: s.TopicPrefix}
	byTopic := map[string][]string{}
	topics := make([]string, 0, len(types))
	for _, t := range types {
		topic := route.topic(t)
		if _, seen := byTopic[topic]; !seen {
			topics = append(topics, topic)
		}
		byTopic[topic] = append(byTopic[topic], t)
	}
	seeds, _ := s.Kafka.OptValue(kgo.SeedBrokers).([]string)
	exists, err := kafka.TopicsExist(ctx, s.Kafka, seeds, topics)
	if err != nil {
		return err
	}
	var missing []MissingTopic
	for _, topic := range topics {
		if !exists[topic] {
			missing = append(missing, MissingTopic{Topic: topic, EventTypes: byTopic[topic]})
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Slice(missing, func(i, j int) bool { return missing[i].Topic < missing[j].Topic })
	return &MissingTopicsError{SessionID: sess.SessionID, Topics: missing}
}

// checksTopics reports whether starting sess needs its topics checked.
func checksTopics(sess *contract.Session) bool {
	if sess.DryRun || sess.Config.Target != contract.TargetKafka {
		return false
	}
	return sess.Replayctl == nil || !sess.Replayctl.AllowMissingTopics
}

// AllowMissingTopics records on a created or paused session that it may run
// although some target topics are missing, for whichever process runs it
// (a worker after `start --detach`). Nobody runs a session in those states,
// so this write races no runner.
func (s *Service) AllowMissingTopics(ctx context.Context, sess *contract.Session) (*contract.Session, error) {
	if sess.Replayctl != nil && sess.Replayctl.AllowMissingTopics {
		return sess, nil
	}
	set := bson.D{{Key: "replayctl.allow_missing_topics", Value: true}}
	ok, err := s.Store.Sessions.UpdateIfStatus(ctx, sess.SessionID, sess.Status, set)
	if err != nil {
		return nil, err
	}
	if !ok {
		cur, err := s.Store.Sessions.Get(ctx, sess.SessionID)
		if err != nil {
			return nil, err
		}
		return nil, stateError(cur, "allow missing topics on")
	}
	out := *sess
	ext := contract.SessionExt{}
	if sess.Replayctl != nil {
		ext = *sess.Replayctl
	}
	ext.AllowMissingTopics = true
	out.Replayctl = &ext
	return &out, nil
}

// missingTopicsFix is what a session failed for missing topics says to do.
const missingTopicsFix = "create the topics, or map those event types to existing topics with --topic-map TYPE=TOPIC in a new session, " +
	"or run it anyway with --" + AllowMissingTopicsFlag

// refusal runs CheckTopics before a run claims the session, unless the
// caller just did: the query over the events may take longer than a lease
// lasts unrenewed. A missing topic is returned as the refusal (with the
// fix) for the run to record in the session; other errors as err.
func (s *Service) refusal(ctx context.Context, sess *contract.Session, opts RunOptions) (refused, err error) {
	if opts.TopicsChecked {
		return nil, nil
	}
	err = s.CheckTopics(ctx, sess)
	var mt *MissingTopicsError
	if errors.As(err, &mt) {
		return fmt.Errorf("%w: %s", err, missingTopicsFix), nil
	}
	return nil, err
}
