package replaycmd

import (
	"testing"
)

func TestCreatedBy(t *testing.T) {
	env := map[string]string{"LOGNAME": "ops"}
	if got := createdBy(func(k string) string { return env[k] }); got != "replayctl:ops" {
		t.Errorf("got %q", got)
	}
}
