package dlqcmd

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/config"
	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/store"
)

func TestMain(m *testing.M) { clitest.Main(m) }

// testNow is the fixed clock of every test, so relative times are stable.
var testNow = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// flagFactory is a factory for flag tests: settings and a printer, but no
// servers, so a test that reaches a server by mistake fails loudly.
func flagFactory() *cmdutil.Factory {
	ios, _, _, _ := output.Test()
	s := &config.Settings{DLQTopic: config.DefaultDLQTopic, Output: "table", Timeout: 10 * time.Second}
	return &cmdutil.Factory{
		IO:       ios,
		Getenv:   func(string) string { return "" },
		Now:      func() time.Time { return testNow },
		Settings: func() (*config.Settings, error) { return s, nil },
		Printer:  func() (*output.Printer, error) { return output.NewPrinter(ios, output.FormatTable), nil },
		Store: func(context.Context) (*store.Store, error) {
			return nil, errors.New("flag tests must not reach MongoDB")
		},
	}
}

// errRan is what fake runs return in tests that expect parsing to fail
// first: reaching the run shows up as a wrong exit code.
var errRan = errors.New("ran")
