// Package exitcode defines replayctl's stable process exit codes, the errors
// the command line attaches them to, and the mapping from the domain's error
// kinds (package fault) to codes. Only the command line uses it: domain and
// infrastructure packages return fault errors, and main turns an error into
// an exit code.
package exitcode

import (
	"context"
	"errors"
	"fmt"

	"github.com/integr8scode/replayctl/internal/fault"
)

// Code is a process exit status. The values are a public interface for scripts:
// never renumber them.
type Code int

const (
	OK           Code = 0
	Error        Code = 1
	Usage        Code = 2
	NotFound     Code = 3
	InvalidState Code = 4
	Unavailable  Code = 5
	Partial      Code = 6
	Interrupted  Code = 130
)

// Help is the exit code table shown in `replayctl --help` and the README.
const Help = `Exit codes:
  0    success
  1    error
  2    usage error (bad flag or value)
  3    not found
  4    invalid state transition or conflict (held by another process)
  5    MongoDB or Kafka unavailable
  6    partial failure (some items failed)
  130  interrupted (Ctrl-C)`

// E is an error with an exit code and an optional hint telling the operator
// what to do next.
type E struct {
	Code Code
	Err  error
	Hint string
}

func (e *E) Error() string { return e.Err.Error() }
func (e *E) Unwrap() error { return e.Err }

// New wraps err with a code; a nil err stays nil.
func New(code Code, err error) error {
	if err == nil {
		return nil
	}
	return &E{Code: code, Err: err}
}

// WithHint attaches advice to err, keeping its code.
func WithHint(err error, hint string) error {
	if err == nil {
		return nil
	}
	return &E{Code: Of(err), Err: err, Hint: hint}
}

func Usagef(format string, a ...any) error {
	return &E{Code: Usage, Err: fmt.Errorf(format, a...)}
}

func NotFoundf(format string, a ...any) error {
	return &E{Code: NotFound, Err: fmt.Errorf(format, a...)}
}

func InvalidStatef(format string, a ...any) error {
	return &E{Code: InvalidState, Err: fmt.Errorf(format, a...)}
}

func Partialf(format string, a ...any) error {
	return &E{Code: Partial, Err: fmt.Errorf(format, a...)}
}

// Unavailablef marks a server as unreachable, with advice on how to fix it.
func Unavailablef(hint, format string, a ...any) error {
	return &E{Code: Unavailable, Err: fmt.Errorf(format, a...), Hint: hint}
}

// Of returns the exit code an error maps to: the outermost coded error wins,
// an interrupted context means 130, anything else is a plain error.
func Of(err error) Code {
	if err == nil {
		return OK
	}
	var e *E
	if errors.As(err, &e) {
		return e.Code
	}
	if code, ok := byKind[fault.KindOf(err)]; ok {
		return code
	}
	if errors.Is(err, context.Canceled) {
		return Interrupted
	}
	return Error
}

// byKind maps the domain's error kinds to exit codes.
var byKind = map[fault.Kind]Code{
	fault.Invalid:     Usage,
	fault.NotFound:    NotFound,
	fault.Conflict:    InvalidState,
	fault.Unavailable: Unavailable,
	fault.Partial:     Partial,
}

// HintOf returns the first hint found along err's chain.
func HintOf(err error) string {
	for err != nil {
		var e *E
		if !errors.As(err, &e) {
			return ""
		}
		if e.Hint != "" {
			return e.Hint
		}
		err = e.Err
	}
	return ""
}
