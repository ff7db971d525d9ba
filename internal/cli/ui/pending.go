package uicmd

import (
	"errors"

	"github.com/integr8scode/replayctl/internal/cli/cmdutil"
	"github.com/integr8scode/replayctl/internal/dashboard"
)

// TODO(merge): replaced by wuisrc. Delete this file and set NewSource and
// NewActions (internal/cli/ui/source.go, actions.go on that branch) in
// NewCmdUI instead of pendingSource and pendingActions.

var errNotWired = errors.New("replayctl ui: the dashboard's data source is not wired into this build yet")

func pendingSource(*cmdutil.Factory) (dashboard.Source, error) { return nil, errNotWired }

func pendingActions(*cmdutil.Factory) dashboard.Actions { return nil }
