package dashboard

import (
	"context"
	"os/exec"
	"time"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/dlqjob"
	"github.com/integr8scode/replayctl/internal/replay"
)

// Source is every query the dashboard makes. The model calls it off the UI
// goroutine, one view at a time, with a context that carries the refresh
// deadline; an implementation must honour that deadline and make a fixed,
// bounded set of queries per call (limits on every list).
type Source interface {
	// Ping says whether MongoDB and Kafka answer, for the header and the
	// unreachable-server banner.
	Ping(ctx context.Context) Health
	// Sessions is the sessions view: newest first, at most limit.
	Sessions(ctx context.Context, limit int64) ([]SessionRow, error)
	// Session is the session detail view (an id or unique prefix).
	Session(ctx context.Context, id string) (*replay.Info, error)
	// DLQTopics is the DLQ topics view, most messages first.
	DLQTopics(ctx context.Context) ([]dlq.TopicSummary, error)
	// ErrorGroups is the errors view, as `dlq errors` groups them.
	ErrorGroups(ctx context.Context, limit int64) ([]dlq.ErrorGroup, error)
	// Messages is the messages view with the current filter (f.Limit set),
	// and the number of messages matching it.
	Messages(ctx context.Context, f dlq.ListFilter) ([]contract.DLQMessage, int64, error)
	// Message is the message detail view (an event id or unique prefix).
	Message(ctx context.Context, id string) (*MessageDetail, error)
	// Jobs is the jobs view, newest first, at most limit.
	Jobs(ctx context.Context, limit int64) ([]JobRow, error)
	// Workers is the workers view: live session and job leases, at most
	// limit.
	Workers(ctx context.Context, limit int64) ([]Holding, error)
}

// JobRow is a redrive job as the jobs view shows it.
type JobRow struct {
	dlqjob.Job
	// CancelRequested is set while a cancel request waits for the job's
	// holder to stop it at its next chunk (`dlq jobs list` marks it *).
	CancelRequested bool
}

// Health is the header's view of the two servers; a nil error means the
// server answered.
type Health struct {
	Context string // the config context's name
	Mongo   error
	Kafka   error
	// Took is how long the pings took together.
	Took time.Duration
}

// SessionRow is one line of the sessions view.
type SessionRow struct {
	Session contract.Session
	// Holder is the session's latest live run claim; nil when nobody runs it.
	Holder *replay.Lease
}

// MessageDetail is everything the message detail view shows.
type MessageDetail struct {
	Message contract.DLQMessage
	// Policy is the retry policy that applies to the message.
	Policy *dlq.Resolved
	// Edits is the message's edit history (nil or empty when never edited).
	Edits *dlq.EditHistory
}

// Holding is one live lease in the workers view.
type Holding struct {
	Kind      string // "session" or "job"
	ID        string // session or job id
	Owner     string // the process holding it (host/pid or worker name)
	Epoch     int64
	Since     time.Time // when the lease was first acquired
	RenewedAt time.Time // its last renewal
	ExpiresAt time.Time
}

// Selection names the DLQ messages an action applies to: the marked or
// current messages by event id, or every pending or scheduled message of one
// error group (its normalised pattern, as ErrorGroup.Pattern).
type Selection struct {
	EventIDs     []string
	ErrorPattern string
}

// MaxSyncGroup is the largest error group an action retries or discards
// itself: each message costs an update, 45 to 200 ms on the embedded
// server, and an action has 30 s. A larger group is handed to a redrive
// job, as `dlq retry --all --detach` does; when Count is above it, the
// confirmation names a job.
const MaxSyncGroup = 200

// Actions is every change the dashboard can make. Each one goes through the
// audit trail with the same actor rules as the matching command, and returns
// a one-line result for the status line ("Paused session 3f1c9a1e2b4d").
type Actions interface {
	PauseSession(ctx context.Context, id string) (string, error)
	// ResumeSession hands the session to a worker, as `replay resume
	// --detach` does.
	ResumeSession(ctx context.Context, id string) (string, error)
	CancelSession(ctx context.Context, id string) (string, error)
	// Count says how many messages a selection covers right now, for the
	// confirmation modal.
	Count(ctx context.Context, sel Selection) (int64, error)
	Retry(ctx context.Context, sel Selection) (string, error)
	Discard(ctx context.Context, sel Selection, reason string) (string, error)
	// Edit prepares an edit of one message as `dlq edit` does: Cmd is the
	// editor process the dashboard runs while suspended (tea.ExecProcess),
	// and Finish, called after the editor exits with its error, validates
	// and saves the edit.
	Edit(ctx context.Context, eventID string) (*EditSession, error)
	CancelJob(ctx context.Context, id string) (string, error)
}

// EditSession is one edit in progress; see Actions.Edit.
type EditSession struct {
	Cmd    *exec.Cmd
	Finish func(ctx context.Context, editorErr error) (string, error)
	// Discard gives up an edit whose editor never ran (the operator moved
	// on before it opened); nil when there is nothing to give up.
	Discard func()
}
