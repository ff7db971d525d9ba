// Package dashboard is the terminal dashboard of `replayctl ui`: a bubbletea
// model over a Source of queries and a set of Actions (ports.go), so the
// model never talks to MongoDB or Kafka itself and tests drive it with fakes.
package dashboard

import (
	"context"
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/integr8scode/replayctl/internal/contract"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/replay"
)

// Options configure the dashboard.
type Options struct {
	Source  Source
	Actions Actions
	// ReadOnly disables every action; the keys stay and say so.
	ReadOnly bool
	// Refresh is the interval between refreshes (default 2s).
	Refresh time.Duration
	// Now is the clock (time.Now by default); tests fix it for goldens.
	Now func() time.Time
	// Color enables ANSI colour; the command decides it as every other
	// command does (TTY, NO_COLOR, --no-color).
	Color bool
	// Context is the config context's name, until a ping names it.
	Context string
	// Limit bounds every list query (default 200).
	Limit int64
}

const (
	defaultRefresh = 2 * time.Second
	defaultLimit   = 200
	// A query gets the refresh interval, but never less than minQuery (a
	// short --refresh must not turn every query into a timeout) nor more
	// than maxQuery (an unreachable server must show within seconds).
	minQuery = time.Second
	maxQuery = 5 * time.Second
	// Actions may take longer: a pause waits for the runner to be told.
	actionTimeout = 30 * time.Second
	// historyLen is how many refreshes a sparkline remembers: a minute
	// or more at the default interval.
	historyLen = 60
)

// view is one screen of the dashboard.
type view int

const (
	viewSessions view = iota
	viewTopics
	viewErrors
	viewMessages
	viewJobs
	viewWorkers
	viewSessionDetail
	viewMessageDetail
	topViews = 6
)

var viewNames = [...]string{"Sessions", "DLQ topics", "Errors", "Messages", "Jobs", "Workers", "Session", "Message"}

// Model is the dashboard's state. Only the bubbletea program's goroutine
// touches it; queries and actions run in tea.Cmds and come back as messages.
type Model struct {
	opts Options
	keys keyMap
	help help.Model
	st   styles

	width, height int

	view  view
	stack []view // where Esc returns to from a detail or a group's messages

	health      Health
	pinged      bool
	refreshedAt time.Time
	inFlight    bool
	again       bool // a view changed while a refresh ran: refresh once more
	loadedAt    map[view]time.Time
	queryErr    error

	sessions []SessionRow
	session  *replay.Info
	topics   []dlq.TopicSummary
	groups   []dlq.ErrorGroup
	messages []contract.DLQMessage
	msgTotal int64
	message  *MessageDetail
	jobs     []JobRow
	workers  []Holding

	sessionID string // the session detail's session
	eventID   string // the message detail's message
	group     string // the error group the messages view is limited to
	// groupCount is the group's size on the errors view: the messages
	// view pages until it has that many or gives up.
	groupCount int64

	rates   *history // replay rate per session, one sample per refresh
	lastRun map[string]runSample
	backlog *history // pending+scheduled per DLQ topic

	cursor    map[view]int
	selected  map[view]string // the key of the row under each list's cursor
	offset    map[view]int
	filters   map[view]string
	filtering bool
	input     textinput.Model
	marked    map[string]bool

	detail viewport.Model

	modal     *modal
	running   int  // confirmed actions not yet done
	quitAsked bool // q pressed once while an action ran
	// awaited is the count or edit request whose answer may still open a
	// modal or the editor; a newer request, a view change or Esc makes an
	// older answer stale (0: none awaited).
	awaited   int
	requests  int
	status    string
	statusErr bool
	showHelp  bool
}

// runSample is a session's progress at one refresh, to derive its rate.
type runSample struct {
	done int64
	at   time.Time
}

// New returns the dashboard model for tea.NewProgram.
func New(opts Options) *Model {
	if opts.Refresh <= 0 {
		opts.Refresh = defaultRefresh
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Limit <= 0 {
		opts.Limit = defaultLimit
	}
	m := &Model{
		opts:     opts,
		keys:     newKeyMap(opts.ReadOnly),
		st:       newStyles(opts.Color),
		width:    80,
		height:   24,
		loadedAt: map[view]time.Time{},
		rates:    newHistory(historyLen),
		lastRun:  map[string]runSample{},
		backlog:  newHistory(historyLen),
		cursor:   map[view]int{},
		selected: map[view]string{},
		offset:   map[view]int{},
		filters:  map[view]string{},
		marked:   map[string]bool{},
		detail:   viewport.New(80, 10),
	}
	m.detail.SetHorizontalStep(8)
	m.help = newHelp(m.st)
	m.input = newInput(m.st, "filter: ")
	return m
}

// Messages that come back from commands.
type (
	tickMsg    struct{}
	refreshMsg struct {
		view   view
		key    string // the detail's id or the group the query was for
		health Health
		data   any
		total  int64
		err    error
		at     time.Time
	}
	actionDoneMsg struct {
		text   string
		err    error
		unmark bool // the action applied to the marks: they are spent
	}
	countMsg struct {
		seq   int
		modal *modal
		n     int64
		err   error
	}
	editReadyMsg struct {
		seq  int
		edit *EditSession
		err  error
	}
	editorDoneMsg struct {
		edit *EditSession
		err  error
	}
)

// Init starts the first refresh and the refresh clock.
func (m *Model) Init() tea.Cmd {
	m.inFlight = true
	return tea.Batch(m.refreshCmd(), m.tick())
}

func (m *Model) tick() tea.Cmd {
	return tea.Tick(m.opts.Refresh, func(time.Time) tea.Msg { return tickMsg{} })
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.sizeDetail()
		if m.message != nil {
			// The detail's values are wrapped to the width.
			m.detail.SetContent(m.messageContent())
		}
		return m, nil
	case tickMsg:
		return m, tea.Batch(m.tick(), m.startRefresh())
	case refreshMsg:
		return m, m.applyRefresh(msg)
	case actionDoneMsg:
		m.running = max(m.running-1, 0)
		if m.running == 0 {
			m.quitAsked = false
		}
		m.setStatus(msg.text, msg.err)
		if msg.err == nil && msg.unmark {
			m.marked = map[string]bool{}
		}
		return m, m.refreshSoon()
	case countMsg:
		if !m.answers(msg.seq) {
			return m, nil
		}
		if msg.err != nil {
			m.setStatus("", msg.err)
			return m, nil
		}
		m.status = ""
		msg.modal.setCount(msg.n)
		m.modal = msg.modal
		return m, nil
	case editReadyMsg:
		if !m.answers(msg.seq) {
			return m, discardEdit(msg.edit)
		}
		return m, m.runEditor(msg)
	case editorDoneMsg:
		return m, m.finishEdit(msg)
	case tea.KeyMsg:
		return m, m.handleKey(msg)
	}
	return m, nil
}

// startRefresh queries the view on screen unless a refresh is already in
// flight: a slow server then costs one pending query, not a pile of them.
func (m *Model) startRefresh() tea.Cmd {
	if m.inFlight {
		return nil
	}
	m.inFlight = true
	return m.refreshCmd()
}

// refreshSoon refreshes at once, or as soon as the refresh in flight
// returns: that one may be for the previous view, or read the data from
// before an action.
func (m *Model) refreshSoon() tea.Cmd {
	if m.inFlight {
		m.again = true
		return nil
	}
	return m.startRefresh()
}

func (m *Model) queryTimeout() time.Duration {
	return min(max(m.opts.Refresh, minQuery), maxQuery)
}

// refreshCmd pings both servers and runs the one query of the view on
// screen, concurrently and under one deadline.
func (m *Model) refreshCmd() tea.Cmd {
	src, now, timeout := m.opts.Source, m.opts.Now, m.queryTimeout()
	v, key, query := m.query()
	return func() tea.Msg {
		// The program's own context is not reachable from a Cmd; the
		// deadline bounds the query and the program ends on Ctrl-C anyway.
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		pinged := make(chan Health, 1)
		go func() { pinged <- src.Ping(ctx) }()
		answered := make(chan queryResult, 1)
		go func() {
			data, total, err := query(ctx, src)
			answered <- queryResult{data, total, err}
		}()
		// A Source that ignores its deadline must not hold inFlight, and
		// with it every later refresh, for good: its goroutine is left
		// behind and the refresh reports the deadline.
		r, ok := await(ctx, answered)
		if !ok {
			r.err = fmt.Errorf("%s query did not return by its deadline: %w", viewNames[v], ctx.Err())
		}
		health, ok := await(ctx, pinged)
		if !ok {
			health = Health{Mongo: fmt.Errorf("ping did not return by its deadline: %w", ctx.Err())}
		}
		return refreshMsg{view: v, key: key, health: health, data: r.data, total: r.total, err: r.err, at: now()}
	}
}

type queryResult struct {
	data  any
	total int64
	err   error
}

// queryGrace is how long past its deadline a query may take to return
// its own (better worded) error before the refresh gives up on it.
const queryGrace = 500 * time.Millisecond

// await is the value ch delivers, or false when ctx ends and ch stays
// silent for queryGrace more.
func await[T any](ctx context.Context, ch <-chan T) (T, bool) {
	select {
	case v := <-ch:
		return v, true
	case <-ctx.Done():
	}
	t := time.NewTimer(queryGrace)
	defer t.Stop()
	select {
	case v := <-ch:
		return v, true
	case <-t.C:
		var zero T
		return zero, false
	}
}

type queryFunc func(ctx context.Context, src Source) (any, int64, error)

// query is the one Source call of the view on screen.
func (m *Model) query() (view, string, queryFunc) {
	limit := m.opts.Limit
	switch m.view {
	case viewSessionDetail:
		id := m.sessionID
		return m.view, id, func(ctx context.Context, src Source) (any, int64, error) {
			info, err := src.Session(ctx, id)
			return info, 0, err
		}
	case viewTopics:
		return m.view, "", func(ctx context.Context, src Source) (any, int64, error) {
			t, err := src.DLQTopics(ctx)
			return t, 0, err
		}
	case viewErrors:
		return m.view, "", func(ctx context.Context, src Source) (any, int64, error) {
			g, err := src.ErrorGroups(ctx, limit)
			return g, 0, err
		}
	case viewMessages:
		g, want := m.group, m.groupCount
		return m.view, g, func(ctx context.Context, src Source) (any, int64, error) {
			if g == "" {
				return src.Messages(ctx, dlq.ListFilter{Limit: limit})
			}
			return groupMessages(ctx, src, g, want, limit)
		}
	case viewMessageDetail:
		id := m.eventID
		return m.view, id, func(ctx context.Context, src Source) (any, int64, error) {
			d, err := src.Message(ctx, id)
			return d, 0, err
		}
	case viewJobs:
		return m.view, "", func(ctx context.Context, src Source) (any, int64, error) {
			j, err := src.Jobs(ctx, limit)
			return j, 0, err
		}
	case viewWorkers:
		return m.view, "", func(ctx context.Context, src Source) (any, int64, error) {
			w, err := src.Workers(ctx, limit)
			return w, 0, err
		}
	}
	return viewSessions, "", func(ctx context.Context, src Source) (any, int64, error) {
		s, err := src.Sessions(ctx, limit)
		return s, 0, err
	}
}

// applyRefresh keeps the last good data when a query fails, so the screen
// shows it with its age under the banner.
func (m *Model) applyRefresh(msg refreshMsg) tea.Cmd {
	m.inFlight = false
	m.health, m.pinged = msg.health, true
	if msg.health.Context != "" {
		m.opts.Context = msg.health.Context
	}
	switch {
	case msg.err == nil:
		// "refreshed" is the time of the data on screen: a failed query
		// leaves it where it was.
		m.queryErr, m.refreshedAt = nil, msg.at
		m.store(msg)
	case msg.view == m.view && msg.key == m.viewKey():
		m.queryErr = msg.err
	}
	// The banner comes and goes with the servers and takes a line from
	// the message detail's viewport.
	m.sizeDetail()
	if m.again {
		m.again = false
		return m.startRefresh()
	}
	return nil
}

// store keeps a view's data; a detail or a group's messages that arrive
// after the user moved to another one are dropped.
func (m *Model) store(msg refreshMsg) {
	switch msg.view {
	case viewSessionDetail:
		if msg.key != m.sessionID {
			return
		}
	case viewMessageDetail:
		if msg.key != m.eventID {
			return
		}
	case viewMessages:
		if msg.key != m.group {
			return
		}
	}
	m.loadedAt[msg.view] = msg.at
	switch d := msg.data.(type) {
	case []SessionRow:
		m.sessions = d
		for _, r := range d {
			m.sampleRate(r.Session, msg.at)
		}
	case *replay.Info:
		m.session = d
		if d != nil && d.Session != nil {
			m.sampleRate(*d.Session, msg.at)
		}
	case []dlq.TopicSummary:
		m.topics = d
		for _, t := range d {
			m.backlog.add(t.Topic, float64(t.ByStatus[string(contract.DLQPending)]+t.ByStatus[string(contract.DLQScheduled)]))
		}
	case []dlq.ErrorGroup:
		m.groups = d
	case []contract.DLQMessage:
		m.messages, m.msgTotal = d, msg.total
		m.dropGoneMarks()
	case *MessageDetail:
		m.message = d
		m.detail.SetContent(m.messageContent())
	case []JobRow:
		m.jobs = d
	case []Holding:
		m.workers = d
	}
	m.reselect()
}

// viewKey is what the view on screen shows: the detail's id or the error
// group, "" on a plain list.
func (m *Model) viewKey() string {
	switch m.view {
	case viewSessionDetail:
		return m.sessionID
	case viewMessageDetail:
		return m.eventID
	case viewMessages:
		return m.group
	}
	return ""
}

// sampleRate records how fast a session moved since the previous refresh
// that saw it; the first sighting only sets the baseline.
func (m *Model) sampleRate(s contract.Session, at time.Time) {
	done := s.ReplayedEvents + s.FailedEvents + s.SkippedEvents
	prev, ok := m.lastRun[s.SessionID]
	m.lastRun[s.SessionID] = runSample{done: done, at: at}
	if ok && at.After(prev.at) {
		m.rates.add(s.SessionID, max(float64(done-prev.done), 0)/at.Sub(prev.at).Seconds())
	}
}

func (m *Model) setStatus(text string, err error) {
	m.status, m.statusErr = visible(text), err != nil
	if err != nil {
		m.status = "Error: " + shortErr(err, 200)
	}
}

// bodyHeight is what is left between the header lines and the footer.
func (m *Model) bodyHeight() int {
	h := m.height - 4 // header, tabs, status line, key line
	if m.bannerText() != "" {
		h--
	}
	return max(h, 3)
}

func (m *Model) sizeDetail() {
	m.detail.Width = m.width
	m.detail.Height = max(m.bodyHeight()-1, 1)
}
