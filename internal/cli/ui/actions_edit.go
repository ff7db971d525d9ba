package uicmd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"

	dlqcmd "github.com/integr8scode/replayctl/internal/cli/dlq"
	"github.com/integr8scode/replayctl/internal/dashboard"
	"github.com/integr8scode/replayctl/internal/dlq"
	"github.com/integr8scode/replayctl/internal/fault"
	"github.com/integr8scode/replayctl/internal/output"
)

// Edit opens the message's event as `dlq edit` does: the draft goes to a
// 0600 temporary file, Cmd runs the operator's editor on it through sh (as
// cmdutil.Factory.EditTemp runs it, so $EDITOR may carry arguments), and
// Finish saves through dlqcmd.SaveEdit, the command's own path.
func (a *actions) Edit(ctx context.Context, eventID string) (*dashboard.EditSession, error) {
	m, err := a.reader(ctx)
	if err != nil {
		return nil, err
	}
	draft, err := m.OpenEdit(ctx, eventID)
	if err != nil {
		return nil, err
	}
	path, err := writeDraft(draft.JSON)
	if err != nil {
		return nil, err
	}
	a.drafts.add(path, draft)
	cmd := exec.Command("sh", "-c", a.f.EditorCommand()+` "$1"`, "sh", path)
	finish := func(ctx context.Context, editorErr error) (string, error) {
		defer a.drafts.done(path)
		return a.warn.noted(a.finishEdit(ctx, m, draft, path, editorErr))
	}
	discard := func() {
		_ = os.Remove(path)
		a.drafts.done(path)
	}
	return &dashboard.EditSession{Cmd: cmd, Finish: finish, Discard: discard}, nil
}

// drafts are the edit files the dashboard wrote and has not yet saved or
// given up: when it quits with some (an edit that was opening, or being
// saved), close removes the unchanged ones and names the others, so
// neither a draft nor an operator's unsaved work is left silently.
type drafts struct {
	mu    sync.Mutex
	files map[string]*dlq.EditDraft
}

func (d *drafts) add(path string, draft *dlq.EditDraft) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.files == nil {
		d.files = map[string]*dlq.EditDraft{}
	}
	d.files[path] = draft
}

func (d *drafts) done(path string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.files, path)
}

// close removes every draft left unchanged and tells w where each changed
// one is kept.
func (d *drafts) close(w io.Writer) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for path, draft := range d.files {
		saved, err := os.ReadFile(path)
		if err != nil || unchanged(saved, draft) {
			_ = os.Remove(path)
			continue
		}
		fmt.Fprintf(w, "replayctl ui: the dashboard quit while your edit of message %s was being saved; if 'replayctl dlq show %s' does not show it, it is kept in %s: 'replayctl dlq edit %s --from-file %s' stores it\n",
			output.ShortID(draft.EventID), output.ShortID(draft.EventID), path, draft.EventID, path)
	}
	clear(d.files)
}

// unchanged reports an edit that stores nothing: an emptied file, or the
// draft as it was written.
func unchanged(saved []byte, draft *dlq.EditDraft) bool {
	return len(bytes.TrimSpace(saved)) == 0 || bytes.Equal(saved, draft.JSON)
}

func writeDraft(content []byte) (string, error) {
	tmp, err := os.CreateTemp("", "replayctl-dlq-edit-*.json")
	if err != nil {
		return "", fmt.Errorf("create a file to edit: %w", err)
	}
	_, err = tmp.Write(content)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return "", fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	return tmp.Name(), nil
}

// finishEdit reads what the editor saved and stores it. An empty or
// unchanged file cancels the edit; a refused edit keeps the file and says
// where, as `dlq edit` does, so the work is not lost.
func (a *actions) finishEdit(ctx context.Context, m *dlq.Manager, draft *dlq.EditDraft, path string, editorErr error) (string, error) {
	short := output.ShortID(draft.EventID)
	if editorErr != nil {
		_ = os.Remove(path)
		return "", fmt.Errorf("editor %q: %w; message %s unchanged", a.f.EditorCommand(), editorErr, short)
	}
	saved, err := os.ReadFile(path)
	if err != nil {
		_ = os.Remove(path)
		return "", fmt.Errorf("read back %s: %w", path, err)
	}
	if unchanged(saved, draft) {
		_ = os.Remove(path)
		return fmt.Sprintf("Edit of message %s cancelled: nothing changed", short), nil
	}
	res, err := dlqcmd.SaveEdit(ctx, a.f, m, draft, saved, "", false)
	if err != nil {
		if fault.KindOf(err) == fault.Invalid {
			return "", fmt.Errorf("%w (your edit is kept in %s)", err, path)
		}
		_ = os.Remove(path)
		return "", err
	}
	_ = os.Remove(path)
	if !res.Stored {
		return fmt.Sprintf("Edit of message %s cancelled: nothing changed", short), nil
	}
	return fmt.Sprintf("Edited message %s: %d %s changed", short, len(res.Changes), plural(len(res.Changes), "field", "fields")), nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
