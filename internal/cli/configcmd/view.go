package configcmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/output"
)

// ViewOptions are the inputs of `config view`.
type ViewOptions struct {
	ConfigFile func() (*config.File, string, error)
	Printer    func() (*output.Printer, error)
}

// NewCmdView builds `config view`; runF replaces the run in flag tests.
func NewCmdView(f *cmdutil.Factory, runF func(context.Context, *ViewOptions) error) *cobra.Command {
	opts := &ViewOptions{ConfigFile: configFileFunc(f), Printer: f.Printer}
	return &cobra.Command{
		Use:   "view",
		Short: "Show the config file with passwords redacted",
		Long: `Show the whole configuration file: the current context and every context
with all its settings.

Passwords are always replaced by REDACTED: the password in each MongoDB
URI (and secret URI options such as tlsCertificateKeyFilePassword) and
each SASL password. There is no option to show them; read the file itself
if you need them.

The default output is the file's YAML; -o json and -o yaml print the same
document for scripts.`,
		Example: `  # Show the configuration
  replayctl config view

  # The brokers of the context named prod
  replayctl config view -o json | jq -r '.contexts[] | select(.name=="prod") | ."kafka-brokers"[]'

  # Show another config file
  replayctl --config ./ci-config.yaml config view`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmdutil.Run(cmd, opts, runF, viewRun)
		},
	}
}

func viewRun(_ context.Context, opts *ViewOptions) error {
	file, _, err := opts.ConfigFile()
	if err != nil {
		return err
	}
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	return p.Print(file.Redacted())
}
