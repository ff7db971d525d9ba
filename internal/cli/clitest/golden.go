package clitest

import (
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"

	"github.com/integr8scode/replayctl/internal/golden"
	"github.com/integr8scode/replayctl/internal/testenv"
)

// Main runs a command package's tests with narrow ambiguous widths: "…"
// is two columns under CJK locales, and golden tables must match
// everywhere. The embedded stack is stopped afterwards.
func Main(m *testing.M) {
	twwidth.SetEastAsian(false)
	testenv.Main(m)
}

// AssertGolden compares got with testdata/<name>.golden; see golden.Assert.
func AssertGolden(t testing.TB, name, got string) {
	t.Helper()
	golden.Assert(t, name, got)
}
