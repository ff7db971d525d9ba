package replay

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
)

// fileSink writes JSON Lines. It records the byte offset with every
// checkpoint and truncates back to it on resume, so a file target gets each
// event exactly once even after a crash; stdout cannot be truncated.
type fileSink struct {
	mu     sync.Mutex
	f      *os.File // nil for stdout
	w      *bufio.Writer
	offset int64
	broken error
}

// openFileSink opens path ("-" = stdout). resumeAt is the offset of the last
// checkpoint, nil on a fresh start (which truncates the file).
func openFileSink(path string, stdout io.Writer, resumeAt *int64) (*fileSink, error) {
	if path == "-" {
		if stdout == nil {
			return nil, errors.New("the session writes to stdout (--out -); run it with `replayctl replay start` in a terminal or a pipe")
		}
		return &fileSink{w: bufio.NewWriterSize(stdout, 64<<10)}, nil
	}
	flags := os.O_WRONLY | os.O_CREATE
	if resumeAt == nil {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open output file: %w", err)
	}
	end, err := resumePoint(f, resumeAt)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return &fileSink{f: f, w: bufio.NewWriterSize(f, 256<<10), offset: end}, nil
}

// resumePoint cuts off lines written after the last checkpoint and
// positions f at the end.
func resumePoint(f *os.File, resumeAt *int64) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("stat output file: %w", err)
	}
	end := st.Size()
	if resumeAt != nil && *resumeAt < end {
		if err := f.Truncate(*resumeAt); err != nil {
			return 0, fmt.Errorf("truncate output file to the last checkpoint: %w", err)
		}
		end = *resumeAt
	}
	if _, err := f.Seek(end, io.SeekStart); err != nil {
		return 0, fmt.Errorf("seek output file: %w", err)
	}
	return end, nil
}

func (s *fileSink) send(m *message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken != nil {
		return s.broken
	}
	if _, err := s.w.Write(m.value); err != nil {
		s.broken = fmt.Errorf("write output: %w", err)
		return s.broken
	}
	if err := s.w.WriteByte('\n'); err != nil {
		s.broken = fmt.Errorf("write output: %w", err)
		return s.broken
	}
	s.offset += int64(len(m.value)) + 1
	m.done(m, nil)
	return nil
}

func (s *fileSink) sync(fn func()) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.flush(); err != nil {
		return 0, err
	}
	fn()
	return s.offset, nil
}

func (s *fileSink) flush() error {
	if s.broken != nil {
		return s.broken
	}
	if err := s.w.Flush(); err != nil {
		s.broken = fmt.Errorf("write output: %w", err)
		return s.broken
	}
	if s.f == nil {
		return nil
	}
	// A checkpoint must never count lines the disk may still lose.
	if err := s.f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		s.broken = fmt.Errorf("sync output file: %w", err)
		return s.broken
	}
	return nil
}

func (s *fileSink) abort() {}

func (s *fileSink) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.flush()
	if s.f != nil {
		if cerr := s.f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close output file: %w", cerr)
		}
	}
	return err
}
