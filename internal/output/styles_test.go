package output

import "testing"

func TestStatusColours(t *testing.T) {
	cases := map[string]string{
		"running":   "\x1b[34mrunning\x1b[0m",
		"completed": "\x1b[32mcompleted\x1b[0m",
		"retried":   "\x1b[32mretried\x1b[0m",
		"failed":    "\x1b[31mfailed\x1b[0m",
		"paused":    "\x1b[33mpaused\x1b[0m",
		"scheduled": "\x1b[33mscheduled\x1b[0m",
		"cancelled": "\x1b[2mcancelled\x1b[0m",
		"discarded": "\x1b[2mdiscarded\x1b[0m",
		"pending":   "\x1b[36mpending\x1b[0m",
		"created":   "\x1b[36mcreated\x1b[0m",
		"preview":   "\x1b[36mpreview\x1b[0m",
		"Running":   "\x1b[34mRunning\x1b[0m", // case-insensitive, text preserved
		"mystery":   "mystery",
		"":          "",
	}
	on, off := NewStyles(true), NewStyles(false)
	for in, want := range cases {
		if got := on.Status(in); got != want {
			t.Errorf("colour on: Status(%q) = %q, want %q", in, got, want)
		}
		if got := off.Status(in); got != in {
			t.Errorf("colour off: Status(%q) = %q, want plain", in, got)
		}
	}
}

func TestStyleHelpers(t *testing.T) {
	on := NewStyles(true)
	cases := []struct{ got, want string }{
		{on.Bold("b"), "\x1b[1mb\x1b[0m"},
		{on.Faint("f"), "\x1b[2mf\x1b[0m"},
		{on.Red("r"), "\x1b[31mr\x1b[0m"},
		{on.Green("g"), "\x1b[32mg\x1b[0m"},
		{on.Yellow("y"), "\x1b[33my\x1b[0m"},
		{on.Blue("b"), "\x1b[34mb\x1b[0m"},
		{on.Cyan("c"), "\x1b[36mc\x1b[0m"},
		{on.SuccessIcon(), "\x1b[32m✓\x1b[0m"},
		{on.WarningIcon(), "\x1b[33m!\x1b[0m"},
		{on.FailureIcon(), "\x1b[31mX\x1b[0m"},
		// Tabs must survive (lipgloss would expand them) and multi-line text
		// must not be padded into a block.
		{on.Bold("a\tb"), "\x1b[1ma\tb\x1b[0m"},
		{on.Bold("long line\nx\n"), "\x1b[1mlong line\x1b[0m\n\x1b[1mx\x1b[0m\n"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d: got %q, want %q", i, c.got, c.want)
		}
	}
}

func TestStylesOffAndNilArePlain(t *testing.T) {
	for _, s := range []*Styles{NewStyles(false), nil} {
		if s.Enabled() {
			t.Error("Enabled() = true")
		}
		got := []string{s.Bold("b"), s.Faint("f"), s.Red("r"), s.Green("g"), s.Yellow("y"), s.Blue("b"), s.Cyan("c"), s.Status("failed")}
		want := []string{"b", "f", "r", "g", "y", "b", "c", "failed"}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("got %q, want %q", got[i], want[i])
			}
		}
		if s.SuccessIcon() != "✓" || s.WarningIcon() != "!" || s.FailureIcon() != "X" {
			t.Errorf("icons: %q %q %q", s.SuccessIcon(), s.WarningIcon(), s.FailureIcon())
		}
	}
}
