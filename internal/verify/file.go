package verify

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/integr8scode/replayctl/internal/contract"
)

// maxLine bounds one JSON line; a longer one is counted unreadable.
const maxLine = 64 << 20

// readFile reads a file target's JSON lines from where the session began
// writing. A line that is not a JSON event with an event_id is counted as
// unreadable, never fatal.
func readFile(ctx context.Context, sess *contract.Session, t *tally, rep *Report) error {
	path := *sess.Config.TargetFilePath
	start := int64(0)
	if p := provenanceOf(sess); p != nil && p.FileStart != nil {
		start = *p.FileStart
		if p.FilePath != "" {
			path = p.FilePath
		}
	} else {
		rep.Warnings = append(rep.Warnings, "the session recorded no start offset in its file; read it from the beginning")
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open the target file of session %s: %w", sess.SessionID, err)
	}
	defer f.Close()
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return fmt.Errorf("seek %s to %d: %w", path, start, err)
	}
	r := bufio.NewReaderSize(f, 1<<20)
	end := start
	var lines int64
	for {
		line, err := readLine(r)
		end += int64(len(line))
		if len(bytes.TrimSpace(line)) > 0 {
			lines++
			t.line(line)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		if lines%10000 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
	}
	rep.Scanned = lines
	rep.Sources = append(rep.Sources, Source{File: path, From: start, To: end})
	return nil
}

// readLine returns the next line with its newline; a line past maxLine is
// returned truncated (and so unreadable) after the rest is skipped.
func readLine(r *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(buf)+len(chunk) <= maxLine {
			buf = append(buf, chunk...)
		}
		if err != bufio.ErrBufferFull {
			return buf, err
		}
	}
}

func provenanceOf(sess *contract.Session) *contract.Provenance {
	if sess.Replayctl == nil {
		return nil
	}
	return sess.Replayctl.Provenance
}
