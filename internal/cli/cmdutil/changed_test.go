package cmdutil

import (
	"reflect"
	"testing"

	"github.com/spf13/cobra"
)

// ChangedFlags keeps only the named flags the command line set, lists as
// typed (a,b rather than pflag's [a,b]).
func TestChangedFlags(t *testing.T) {
	cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
	cmd.Flags().StringSlice("status", nil, "")
	cmd.Flags().String("since", "", "")
	cmd.Flags().Int64("limit", 10, "")
	cmd.Flags().Bool("yes", false, "")
	cmd.SetArgs([]string{"--status", "pending,scheduled", "--since", "2h", "--yes"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	got := ChangedFlags(cmd, "status", "since", "limit", "missing")
	want := map[string]string{"status": "pending,scheduled", "since": "2h"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ChangedFlags = %v, want %v", got, want)
	}
	if got := ChangedFlags(cmd, "limit"); got != nil {
		t.Errorf("nothing set: %v, want nil", got)
	}
}
