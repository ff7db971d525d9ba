package output

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

func TestMain(m *testing.M) {
	// Ambiguous-width characters such as "…" are two columns wide under
	// CJK locales; pin narrow widths so golden files match everywhere.
	twwidth.SetEastAsian(false)
	os.Exit(m.Run())
}

// fakeClock is a manually advanced clock for Progress tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// ttyStreams returns test streams that claim to be a terminal.
func ttyStreams(color bool, width int) (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	ios, _, out, errOut := Test()
	ios.SetStdoutTTY(true)
	ios.SetStderrTTY(true)
	ios.SetColorEnabled(color)
	ios.SetTerminalWidth(width)
	return ios, out, errOut
}

var testNow = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// job is a typical business object: json tags, times, omitempty fields.
type job struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	Status   string     `json:"status"`
	Created  time.Time  `json:"created"`
	Finished *time.Time `json:"finishedAt,omitempty"`
	Error    string     `json:"error,omitempty"`
	Tags     []string   `json:"tags,omitempty"`
	Events   int        `json:"events"`
}

type jobList []job

func (l jobList) TableHeader() []string { return []string{"ID", "NAME", "STATUS", "EVENTS", "AGE"} }

func (l jobList) TableRows(st *Styles) [][]string {
	rows := make([][]string, 0, len(l))
	for _, j := range l {
		rows = append(rows, []string{j.ID, j.Name, st.Status(j.Status), itoa(j.Events), RelativeTime(testNow, j.Created)})
	}
	return rows
}

type attempt struct {
	N      int    `json:"n"`
	Result string `json:"result"`
	Note   string `json:"note,omitempty"`
}

type attempts []attempt

func (a attempts) TableHeader() []string { return []string{"#", "RESULT", "NOTE"} }

func (a attempts) TableRows(st *Styles) [][]string {
	rows := make([][]string, 0, len(a))
	for _, x := range a {
		rows = append(rows, []string{itoa(x.N), st.Status(x.Result), x.Note})
	}
	return rows
}

type jobDetail struct {
	job
	Attempts attempts `json:"attempts"`
}

func (d jobDetail) DetailSections(st *Styles) []Section {
	return []Section{
		{Title: d.Name, Fields: []Field{
			{Key: "ID", Value: d.ID},
			{Key: "Status", Value: st.Status(d.Status)},
			{Key: "Created", Value: RelativeTime(testNow, d.Created)},
			{Key: "Error", Value: d.Error},
			{Key: "Config", Value: "replicas: 3\n\nmode: fast\n"},
		}},
		{Title: "Attempts", Table: d.Attempts},
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
