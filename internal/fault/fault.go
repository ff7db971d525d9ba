// Package fault classifies the errors that domain and infrastructure
// packages return, so the command line can map them to exit codes and
// advice without the domain knowing about either. A domain package wraps a
// failure in a kind (Invalid, NotFound, Conflict, Unavailable, Partial);
// anything unclassified is an internal error.
package fault

import (
	"errors"
	"fmt"
)

// Kind is what went wrong, from the caller's point of view.
type Kind int

const (
	// Internal is everything not classified below.
	Internal Kind = iota
	// Invalid is input the operation cannot accept (a bad value, an
	// ambiguous id, a malformed spec).
	Invalid
	// NotFound is a named thing that does not exist.
	NotFound
	// Conflict is an operation the current state forbids (a lifecycle
	// transition, a session another runner holds, a lost claim).
	Conflict
	// Unavailable is a server that cannot be reached.
	Unavailable
	// Partial is a bulk operation in which some items failed.
	Partial
)

func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not found"
	case Conflict:
		return "conflict"
	case Unavailable:
		return "unavailable"
	case Partial:
		return "partial"
	}
	return "internal"
}

// Error is an error of a kind.
type Error struct {
	Kind Kind
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// New wraps err with a kind; a nil err stays nil.
func New(k Kind, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: k, Err: err}
}

// Invalidf is an Invalid error.
func Invalidf(format string, a ...any) error { return New(Invalid, fmt.Errorf(format, a...)) }

// NotFoundf is a NotFound error.
func NotFoundf(format string, a ...any) error { return New(NotFound, fmt.Errorf(format, a...)) }

// Conflictf is a Conflict error.
func Conflictf(format string, a ...any) error { return New(Conflict, fmt.Errorf(format, a...)) }

// Partialf is a Partial error.
func Partialf(format string, a ...any) error { return New(Partial, fmt.Errorf(format, a...)) }

// KindOf returns the kind of the outermost classified error along err's
// chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	var u *UnavailableError
	if errors.As(err, &u) {
		return Unavailable
	}
	var a *AmbiguousError
	if errors.As(err, &a) {
		return Invalid
	}
	return Internal
}

// Server names the servers replayctl talks to, for UnavailableError.
type Server string

const (
	MongoDB Server = "MongoDB"
	Kafka   Server = "Kafka"
)

// UnavailableError is a server that did not answer. Addr never holds a
// password.
type UnavailableError struct {
	Server Server
	Addr   string
	Err    error
}

func (e *UnavailableError) Error() string {
	if e.Addr == "" {
		return fmt.Sprintf("%s: %v", e.Server, e.Err)
	}
	return fmt.Sprintf("%s at %s is unreachable: %v", e.Server, e.Addr, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// AmbiguousError is an id prefix that matches more than one thing.
type AmbiguousError struct {
	What       string // "replay session", "DLQ message"
	Prefix     string
	Candidates []string // sorted, at most a handful
	More       bool     // more candidates exist than listed
}

func (e *AmbiguousError) Error() string {
	more := ""
	if e.More {
		more = ", ..."
	}
	list := ""
	for i, c := range e.Candidates {
		if i > 0 {
			list += ", "
		}
		list += c
	}
	return fmt.Sprintf("%s id prefix %q is ambiguous: matches %s%s", e.What, e.Prefix, list, more)
}
