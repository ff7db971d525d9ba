// Package version implements `replayctl version`.
package version

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
)

// Info is injected at build time by goreleaser (-ldflags -X main.version=...).
type Info struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
	Go      string `json:"go"`
}

// String is the one-line form used by `--version` too.
func (i Info) String() string {
	return fmt.Sprintf("replayctl %s (commit %s, built %s, %s)", i.Version, i.Commit, i.Date, i.goVersion())
}

func (i Info) goVersion() string {
	if i.Go != "" {
		return i.Go
	}
	return runtime.Version()
}

// NewCmdVersion builds `replayctl version`.
func NewCmdVersion(f *cmdutil.Factory, info Info) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version, commit and build date",
		Example: "  replayctl version\n  replayctl version -o json",
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := f.Printer()
			if err != nil {
				return err
			}
			info.Go = info.goVersion()
			if p.Format() == "table" {
				_, err := fmt.Fprintln(f.IO.Out, info.String())
				return err
			}
			return p.Print(info)
		},
	}
}
