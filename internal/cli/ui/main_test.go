package uicmd_test

import (
	"testing"

	"github.com/integr8scode/replayctl/internal/cli/clitest"
)

func TestMain(m *testing.M) { clitest.Main(m) }
