package cmdutil

import (
	"strings"

	"github.com/spf13/cobra"
)

// ChangedFlags returns the named flags the command line set, with their
// values as given, for recording what an operator asked for.
func ChangedFlags(cmd *cobra.Command, names ...string) map[string]string {
	var out map[string]string
	for _, name := range names {
		fl := cmd.Flags().Lookup(name)
		if fl == nil || !fl.Changed {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		v := fl.Value.String()
		if fl.Value.Type() == "stringSlice" {
			v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]") // as typed: a,b
		}
		out[name] = v
	}
	return out
}
