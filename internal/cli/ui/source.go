package uicmd

import (
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dashboard"
)

// NewSource returns the dashboard's queries on f's settings and
// connections; MongoDB and Kafka are dialled on the first refresh and
// again on each until they answer.
func NewSource(f *cmdutil.Factory) (dashboard.Source, error) {
	s, err := f.Settings()
	if err != nil {
		return nil, err
	}
	return dashboard.NewSource(dashboard.SourceConfig{
		Context: s.ContextName, Brokers: s.KafkaBrokers, Wiring: f.Wiring, Kafka: f.Kafka,
	}), nil
}
