package cmdutil

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/exitcode"
	"github.com/integr8scode/replayctl/internal/output"
)

// usageIfValidation maps a settings validation failure to exit code 2.
func usageIfValidation(err error) error {
	var v *config.ValidationError
	if errors.As(err, &v) {
		return exitcode.New(exitcode.Usage, err)
	}
	return err
}

// FlagErrorFunc makes cobra's flag parsing errors usage errors (exit 2).
func FlagErrorFunc(cmd *cobra.Command, err error) error {
	return exitcode.WithHint(exitcode.New(exitcode.Usage, err),
		fmt.Sprintf("see '%s --help'", cmd.CommandPath()))
}

// cobraUsagePrefixes are the messages cobra returns for bad invocations
// without giving them a type.
var cobraUsagePrefixes = []string{"unknown command", "unknown flag", "unknown shorthand flag",
	"accepts ", "requires at least", "requires at most", "invalid argument", "flag needs an argument",
	"required flag", "if any flags in the group"}

// ExitCode classifies an error returned by the root command.
func ExitCode(err error) exitcode.Code {
	code := exitcode.Of(err)
	var invalid *config.ValidationError
	if code == exitcode.Error && errors.As(err, &invalid) {
		return exitcode.Usage
	}
	if code == exitcode.Error && err != nil {
		for _, p := range cobraUsagePrefixes {
			if strings.HasPrefix(err.Error(), p) {
				return exitcode.Usage
			}
		}
	}
	return code
}

// PrintError writes the one-line error (plus hint) main shows on stderr.
func PrintError(w io.Writer, st *output.Styles, err error) {
	if err == nil {
		return
	}
	if ExitCode(err) == exitcode.Interrupted {
		fmt.Fprintln(w, "Interrupted.")
		return
	}
	msg := strings.TrimSpace(strings.ReplaceAll(err.Error(), "\n", " "))
	fmt.Fprintf(w, "%s %s\n", st.Red("Error:"), msg)
	if hint := HintOf(err); hint != "" {
		fmt.Fprintf(w, "%s %s\n", st.Faint("Hint:"), hint)
	}
}
