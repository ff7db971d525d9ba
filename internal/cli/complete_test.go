package cli_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/integr8scode/replayctl/internal/cli"
	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/cli/version"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// deadURI is a MongoDB nobody listens on: a completion that reaches for it
// offers nothing.
const deadURI = "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=500&connectTimeoutMS=500"

// completeEnv is two databases on the shared stack, each with one replay
// session and one DLQ message, and config files whose contexts point at
// them: "home" (current) at the first, "other" at the second.
type completeEnv struct {
	uri                 string
	homeDB, otherDB     string
	homeFile, otherFile string // config files; otherFile's current context is "other"
}

const (
	homeSession  = "aaaa0000-0000-4000-8000-000000000001"
	otherSession = "bbbb0000-0000-4000-8000-000000000002"
	homeDLQ      = "home-dlq-event"
	otherDLQ     = "other-dlq-event"
)

func newCompleteEnv(t *testing.T) *completeEnv {
	t.Helper()
	stack := testenv.Shared(t)
	home, other := testenv.Database(t), testenv.Database(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	seedCompletionData(ctx, t, home, homeSession, homeDLQ)
	seedCompletionData(ctx, t, other, otherSession, otherDLQ)

	e := &completeEnv{
		uri: stack.MongoURI(), homeDB: home.Name(), otherDB: other.Name(),
	}
	dir := t.TempDir()
	e.homeFile, e.otherFile = filepath.Join(dir, "home.yaml"), filepath.Join(dir, "other.yaml")
	brokers := stack.KafkaBrokers()
	contexts := []config.Context{
		{Name: "home", MongoURI: e.uri, Database: e.homeDB, KafkaBrokers: brokers, TopicPrefix: "home_"},
		{Name: "other", MongoURI: e.uri, Database: e.otherDB, KafkaBrokers: brokers, TopicPrefix: "other_"},
	}
	for path, current := range map[string]string{e.homeFile: "home", e.otherFile: "other"} {
		file := &config.File{CurrentContext: current, Contexts: contexts}
		if err := file.Save(path); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func seedCompletionData(ctx context.Context, t *testing.T, db *mongo.Database, session, dlqID string) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	_, err := db.Collection(config.DefaultCollections().Sessions).InsertOne(ctx, bson.D{
		{Key: "session_id", Value: session}, {Key: "replay_id", Value: session},
		{Key: "status", Value: string(contract.StatusCreated)}, {Key: "created_at", Value: now},
		{Key: "config", Value: bson.D{{Key: "replay_type", Value: "event_type"}, {Key: "target", Value: "kafka"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Collection(config.DefaultCollections().DLQ).InsertOne(ctx, bson.D{
		{Key: "event", Value: bson.D{{Key: "event_id", Value: dlqID}, {Key: "event_type", Value: "pod_created"}}},
		{Key: "original_topic", Value: "pod_created"}, {Key: "error", Value: "boom"},
		{Key: "retry_count", Value: 0}, {Key: "status", Value: string(contract.DLQPending)},
		{Key: "failed_at", Value: now}, {Key: "created_at", Value: now},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// complete runs `replayctl __complete ARGS...` in process through the real
// root command, with a fresh factory reading only env, and returns the
// values offered (descriptions dropped). extend may add commands first.
func complete(t *testing.T, env map[string]string, extend func(*cobra.Command, *cmdutil.Factory), args ...string) []string {
	t.Helper()
	e := clitest.NewOffline(t, nil)
	e.Vars = env
	e.Root = func(f *cmdutil.Factory) *cobra.Command {
		root := cli.NewCmdRoot(f, version.Info{Version: "test"})
		if extend != nil {
			extend(root, f)
		}
		return root
	}
	r := e.Run(append([]string{cobra.ShellCompRequestCmd}, args...)...)
	if r.Err != nil {
		t.Fatalf("__complete %v: %v (stderr %q)", args, r.Err, r.Stderr)
	}
	var values []string
	for _, line := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
		if line == "" || strings.HasPrefix(line, ":") {
			continue
		}
		value, _, _ := strings.Cut(line, "\t")
		values = append(values, value)
	}
	return values
}

// TestCompletionHonoursGlobalFlags: cobra's __complete runs no pre-run
// hook, so global flags on the completed command line used to be ignored
// and every dynamic completion read the current context.
func TestCompletionHonoursGlobalFlags(t *testing.T) {
	e := newCompleteEnv(t)
	env := map[string]string{config.EnvConfig: e.homeFile, config.EnvTimeout: "20s"}
	// The environment beats the context and the flag beats both: with a
	// dead URI in the environment, only --mongo-uri can reach the data.
	deadEnv := map[string]string{config.EnvConfig: e.homeFile, config.EnvTimeout: "20s",
		config.EnvMongoURI: deadURI, config.EnvDatabase: e.otherDB}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"current context", env, []string{"replay", "show", ""}, homeSession},
		{"--context", env, []string{"--context", "other", "replay", "show", ""}, otherSession},
		{"--context after the verb", env, []string{"replay", "show", "--context", "other", ""}, otherSession},
		{"--database", env, []string{"--database", e.otherDB, "replay", "show", ""}, otherSession},
		{"--config", env, []string{"--config", e.otherFile, "replay", "preview", ""}, otherSession},
		{"--mongo-uri", deadEnv, []string{"--mongo-uri", e.uri, "replay", "show", ""}, otherSession},
		{"--context on dlq ids", env, []string{"--context", "other", "dlq", "show", ""}, otherDLQ},
		{"--config on dlq ids", env, []string{"--config", e.otherFile, "dlq", "retry", ""}, otherDLQ},
		{"--config on --context", env, []string{"--config", e.otherFile, "--context", ""}, "other"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := complete(t, c.env, nil, c.args...)
			if !slices.Contains(got, c.want) {
				t.Fatalf("__complete %v offered %q, want %q among them", c.args, got, c.want)
			}
			for _, wrong := range []string{homeSession, otherSession, homeDLQ, otherDLQ} {
				if wrong != c.want && slices.Contains(got, wrong) {
					t.Errorf("__complete %v offered %q from the wrong database: %q", c.args, wrong, got)
				}
			}
		})
	}
}

// TestCompletionSettingsSeeEveryGlobalFlag checks, for the global flags no
// built-in completion depends on, that a completion function resolving
// settings sees them.
func TestCompletionSettingsSeeEveryGlobalFlag(t *testing.T) {
	dir := t.TempDir()
	home, other := filepath.Join(dir, "home.yaml"), filepath.Join(dir, "other.yaml")
	contexts := []config.Context{
		{Name: "home", MongoURI: "mongodb://home:27017", Database: "home_db", KafkaBrokers: []string{"home:9092"}, TopicPrefix: "home_"},
		{Name: "other", MongoURI: "mongodb://other:27017", Database: "other_db", KafkaBrokers: []string{"other:9092"}, TopicPrefix: "other_"},
	}
	for path, current := range map[string]string{home: "home", other: "other"} {
		if err := (&config.File{CurrentContext: current, Contexts: contexts}).Save(path); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{config.EnvConfig: home}
	cases := []struct {
		flag, value string
		got         func(*config.Settings) string
		want        string
	}{
		{"context", "other", func(s *config.Settings) string { return s.ContextName }, "other"},
		{"config", other, func(s *config.Settings) string { return s.ContextName }, "other"},
		{"mongo-uri", "mongodb://flag:27017", func(s *config.Settings) string { return s.MongoURI }, "mongodb://flag:27017"},
		{"database", "flag_db", func(s *config.Settings) string { return s.Database }, "flag_db"},
		{"kafka-brokers", "f1:9092,f2:9092", func(s *config.Settings) string { return strings.Join(s.KafkaBrokers, ",") }, "f1:9092,f2:9092"},
		{"topic-prefix", "flag_", func(s *config.Settings) string { return s.TopicPrefix }, "flag_"},
	}
	for _, c := range cases {
		t.Run(c.flag, func(t *testing.T) {
			probe := func(root *cobra.Command, f *cmdutil.Factory) {
				root.AddCommand(&cobra.Command{Use: "probe", Hidden: true, Run: func(*cobra.Command, []string) {},
					ValidArgsFunction: func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
						s, err := f.Settings()
						if err != nil {
							return []cobra.Completion{"error: " + err.Error()}, cobra.ShellCompDirectiveNoFileComp
						}
						return []cobra.Completion{c.got(s)}, cobra.ShellCompDirectiveNoFileComp
					}})
			}
			got := complete(t, env, probe, "--"+c.flag, c.value, "probe", "")
			if len(got) != 1 || got[0] != c.want {
				t.Fatalf("with --%s %s the completion's settings gave %q, want %q", c.flag, c.value, got, c.want)
			}
		})
	}
}

func TestOutputFlagCompletesFormats(t *testing.T) {
	env := map[string]string{config.EnvConfig: filepath.Join(t.TempDir(), "none.yaml")}
	for _, args := range [][]string{{"status", "-o", ""}, {"replay", "list", "--output", ""}, {"dlq", "list", "--output="}} {
		got := complete(t, env, nil, args...)
		if !slices.Equal(got, []string{"table", "json", "yaml"}) && !slices.Equal(got, []string{"--output=table", "--output=json", "--output=yaml"}) {
			t.Errorf("__complete %v offered %q, want table, json, yaml", args, got)
		}
	}
}
