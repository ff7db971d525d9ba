package cmdutil

import (
	"context"
	"fmt"
	"os"
	"os/exec"

	"golang.org/x/term"
)

// EditorCommand is the operator's editor: $VISUAL, else $EDITOR, else vi,
// as git and kubectl choose it. It may carry arguments ("code --wait").
func (f *Factory) EditorCommand() string {
	for _, k := range []string{"VISUAL", "EDITOR"} {
		if v := f.Getenv(k); v != "" {
			return v
		}
	}
	return "vi"
}

// CanEdit reports whether an editor can be opened: stdin and stdout are a
// terminal.
func (f *Factory) CanEdit() bool { return f.IO.IsStdinTTY() && f.IO.IsStdoutTTY() }

// EditTemp writes content to a new 0600 temporary file named by pattern,
// opens it in the operator's editor on the factory's streams, and returns
// what was saved and the file's path; the caller removes the file. The
// editor runs through sh, as git runs it, so $EDITOR may have arguments. It
// is not tied to ctx: Ctrl-C belongs to the editor while it runs (replayctl
// stops after it exits), and killing an editor could leave the terminal
// raw. The terminal's state is restored afterwards whatever the editor did.
func (f *Factory) EditTemp(ctx context.Context, pattern string, content []byte) ([]byte, string, error) {
	tmp, err := os.CreateTemp("", pattern)
	if err != nil {
		return nil, "", fmt.Errorf("create a file to edit: %w", err)
	}
	path := tmp.Name()
	_, err = tmp.Write(content)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, path, fmt.Errorf("write %s: %w", path, err)
	}
	if restore := saveTerminal(f.IO.In); restore != nil {
		defer restore()
	}
	cmd := exec.Command("sh", "-c", f.EditorCommand()+` "$1"`, "sh", path)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = f.IO.In, f.IO.Out, f.IO.ErrOut
	if err := cmd.Run(); err != nil {
		return nil, path, fmt.Errorf("editor %q: %w", f.EditorCommand(), err)
	}
	if err := ctx.Err(); err != nil {
		return nil, path, err
	}
	saved, err := os.ReadFile(path)
	if err != nil {
		return nil, path, fmt.Errorf("read back %s: %w", path, err)
	}
	return saved, path, nil
}

// saveTerminal returns a function restoring in's terminal state, or nil
// when in is not a terminal.
func saveTerminal(in any) func() {
	file, ok := in.(*os.File)
	if !ok || !term.IsTerminal(int(file.Fd())) {
		return nil
	}
	state, err := term.GetState(int(file.Fd()))
	if err != nil {
		return nil
	}
	return func() { _ = term.Restore(int(file.Fd()), state) }
}
