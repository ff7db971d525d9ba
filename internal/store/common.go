package store

import (
	"sort"

	"github.com/integr8scode/replayctl/internal/fault"
)

// deleteChunk stays under SQLite's 32,766 bound parameters per statement.
const deleteChunk = 10000

// maxCandidates bounds how many ids an ambiguous prefix lists.
const maxCandidates = 10

func notFound(kind, id string) error {
	return fault.NotFoundf("%s %q not found", kind, id)
}

// resolveOne turns the ids matching a prefix into nil (exactly one), a
// not-found error, or a usage error listing the candidates.
func resolveOne(kind, prefix string, ids []string) error {
	switch {
	case len(ids) == 1:
		return nil
	case len(ids) == 0:
		return notFound(kind, prefix)
	}
	sort.Strings(ids)
	more := len(ids) > maxCandidates
	if more {
		ids = ids[:maxCandidates]
	}
	return &fault.AmbiguousError{What: kind, Prefix: prefix, Candidates: ids, More: more}
}
