package uicmd

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"

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
	cmd := exec.Command("sh", "-c", a.f.EditorCommand()+` "$1"`, "sh", path)
	finish := func(ctx context.Context, editorErr error) (string, error) {
		return a.finishEdit(ctx, m, draft, path, editorErr)
	}
	return &dashboard.EditSession{Cmd: cmd, Finish: finish}, nil
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
	if len(bytes.TrimSpace(saved)) == 0 || bytes.Equal(saved, draft.JSON) {
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
