package configcmd

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/output"
)

// GetContextsOptions are the inputs of `config get-contexts`.
type GetContextsOptions struct {
	ConfigFile func() (*config.File, string, error)
	Printer    func() (*output.Printer, error)

	Names []string // only these contexts; all when empty
}

// NewCmdGetContexts builds `config get-contexts`; runF replaces the run in
// flag tests.
func NewCmdGetContexts(f *cmdutil.Factory, runF func(context.Context, *GetContextsOptions) error) *cobra.Command {
	opts := &GetContextsOptions{ConfigFile: configFileFunc(f), Printer: f.Printer}
	return &cobra.Command{
		Use:   "get-contexts [NAME...]",
		Short: "List the contexts in the config file",
		Long: `List the contexts in the configuration file, one per line, with the current
context marked by "*" in the CURRENT column.

MONGO is the context's MongoDB URI with its password redacted. An empty
column means the context does not set that value, so the environment or
the built-in default applies.

With NAME arguments only those contexts are listed; a name that does not
exist is an error (exit code 3). -o json and -o yaml print the list
commands' shape, {"items": [...], "total": N, "skipped": []}, each item an
object with the fields current, name, mongo-uri, database, kafka-brokers
and topic-prefix.`,
		Example: `  # List all contexts
  replayctl config get-contexts

  # Show one context
  replayctl config get-contexts prod

  # Names of all contexts, for scripts
  replayctl config get-contexts -o json | jq -r '.items[].name'`,
		ValidArgsFunction: completeContextNames(opts.ConfigFile),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Names = args
			return cmdutil.Run(cmd, opts, runF, getContextsRun)
		},
	}
}

func getContextsRun(_ context.Context, opts *GetContextsOptions) error {
	file, path, err := opts.ConfigFile()
	if err != nil {
		return err
	}
	selected := file.Contexts
	if len(opts.Names) > 0 {
		selected = make([]config.Context, 0, len(opts.Names))
		for _, name := range opts.Names {
			c, ok := file.Context(name)
			if !ok {
				return contextNotFound(file, path, name)
			}
			selected = append(selected, *c)
		}
	}
	list := make(contextList, 0, len(selected))
	for _, c := range selected {
		list = append(list, newContextItem(c, c.Name == file.CurrentContext))
	}
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	return p.Print(list)
}

// contextItem is one context as get-contexts prints it. Its JSON shape is a
// stable interface: add fields, never rename or remove them.
type contextItem struct {
	Current      bool     `json:"current"`
	Name         string   `json:"name"`
	MongoURI     string   `json:"mongo-uri"` // password redacted
	Database     string   `json:"database"`
	KafkaBrokers []string `json:"kafka-brokers"`
	TopicPrefix  string   `json:"topic-prefix"`
}

func newContextItem(c config.Context, current bool) contextItem {
	brokers := make([]string, len(c.KafkaBrokers)) // [] rather than null in JSON
	copy(brokers, c.KafkaBrokers)
	return contextItem{
		Current:      current,
		Name:         c.Name,
		MongoURI:     config.RedactURI(c.MongoURI),
		Database:     c.Database,
		KafkaBrokers: brokers,
		TopicPrefix:  c.TopicPrefix,
	}
}

type contextList []contextItem

// MarshalJSON prints the list commands' shape; a config file has no
// documents to skip.
func (l contextList) MarshalJSON() ([]byte, error) {
	return output.MarshalJSON(output.NewListDoc([]contextItem(l), -1, nil))
}

func (l contextList) TableHeader() []string {
	return []string{"CURRENT", "NAME", "MONGO", "DATABASE", "BROKERS", "PREFIX"}
}

func (l contextList) TableRows(st *output.Styles) [][]string {
	rows := make([][]string, 0, len(l))
	for _, c := range l {
		mark, name := "", c.Name
		if c.Current {
			mark, name = st.Green("*"), st.Bold(c.Name)
		}
		rows = append(rows, []string{mark, name, c.MongoURI, c.Database, strings.Join(c.KafkaBrokers, ","), c.TopicPrefix})
	}
	return rows
}
