// Package flagvalue parses the kinds of values operators type into flags,
// once for every command: points in time (--since, --until, --older-than),
// lists (repeatable and comma-separated), choices from a closed set
// (statuses, output formats) and event types. Every parser returns an
// fault.Invalid error whose text is the same whichever command it came
// from, so a value accepted by one command is accepted by all of them.
package flagvalue
