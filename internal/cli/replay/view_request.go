package replaycmd

import (
	"time"

	"github.com/integr8scode/replayctl/internal/output"
	"github.com/integr8scode/replayctl/internal/replay"
)

// requestView is a pause or cancel request the runner has not applied yet.
type requestView struct {
	ID          string    `json:"id"`
	Action      string    `json:"action"`
	RequestedBy string    `json:"requested_by,omitempty"`
	RequestedAt time.Time `json:"requested_at"`
}

func newRequestView(r replay.Request) requestView {
	return requestView{ID: r.ID, Action: string(r.Action), RequestedBy: r.RequestedBy, RequestedAt: r.RequestedAt}
}

// text is "pause by host:123:ab (4s ago)".
func (r requestView) text(now time.Time) string {
	s := r.Action
	if r.RequestedBy != "" {
		s += " by " + r.RequestedBy
	}
	return s + " (" + output.RelativeTime(now, r.RequestedAt) + ")"
}
