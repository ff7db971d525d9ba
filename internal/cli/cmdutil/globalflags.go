package cmdutil

import "github.com/spf13/cobra"

// GlobalFlagNames are the persistent flags whose explicit values override
// the environment and the config file (see config.Resolve).
func GlobalFlagNames() []string {
	return []string{"mongo-uri", "database", "kafka-brokers", "topic-prefix", "context", "config", "output", "timeout", "no-color", "actor"}
}

// AddGlobalFlags registers replayctl's global flags on root and binds them
// to f. The real root and the test harness both call it, so tests parse
// the command line exactly as the binary does.
func AddGlobalFlags(root *cobra.Command, f *Factory) {
	pf := root.PersistentFlags()
	pf.String("mongo-uri", "", "MongoDB connection URI (env REPLAYCTL_MONGO_URI)")
	pf.String("database", "", `MongoDB database (env REPLAYCTL_DATABASE, default "integr8scode_db")`)
	pf.String("kafka-brokers", "", "comma-separated Kafka bootstrap brokers (env REPLAYCTL_KAFKA_BROKERS)")
	pf.String("topic-prefix", "", "prefix of every Kafka topic name (env REPLAYCTL_TOPIC_PREFIX)")
	pf.String("context", "", "config context to use (env REPLAYCTL_CONTEXT)")
	pf.String("config", "", "config file (env REPLAYCTL_CONFIG, default $XDG_CONFIG_HOME/replayctl/config.yaml)")
	pf.StringP("output", "o", "", "output format: table|json|yaml (env REPLAYCTL_OUTPUT)")
	pf.Bool("no-color", false, "disable colour (also NO_COLOR)")
	pf.Duration("timeout", 0, "give up on an unreachable server after this long (env REPLAYCTL_TIMEOUT, default 10s)")
	pf.String("actor", "", "who you act for, recorded in the audit trail (env REPLAYCTL_ACTOR, default $USER@hostname)")
	f.BindGlobalFlags(pf, GlobalFlagNames())
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		// Commands that never resolve settings (config) still obey --no-color.
		if f.GlobalOverrides()["no-color"] == "true" {
			f.IO.SetColorEnabled(false)
		}
		return nil
	}
}
