package output

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Skipped is a stored document a listing could not read, as list commands
// report it.
type Skipped struct {
	ID         string `json:"_id"`
	Collection string `json:"collection"`
	Error      string `json:"error"`
}

// ListDoc is the machine-readable shape of every list command: the stable
// interface scripts rely on (documented in the README). Items and Skipped
// are never null, so scripts can always iterate them.
type ListDoc[T any] struct {
	Items   []T       `json:"items"`
	Total   int64     `json:"total"`
	Skipped []Skipped `json:"skipped"`
}

// NewListDoc builds a ListDoc; a negative total means len(items).
func NewListDoc[T any](items []T, total int64, skipped []Skipped) ListDoc[T] {
	if items == nil {
		items = []T{}
	}
	if skipped == nil {
		skipped = []Skipped{}
	}
	if total < 0 {
		total = int64(len(items))
	}
	return ListDoc[T]{Items: items, Total: total, Skipped: skipped}
}

// ShowInvalidFlag is the list commands' flag that details skipped documents.
const ShowInvalidFlag = "show-invalid"

// ReportSkipped tells a person at a table that some documents were left out:
// one hint line on stderr, or with details every skipped document's id and
// error. Machine formats carry them in the document's `skipped` list.
func (p *Printer) ReportSkipped(skipped []Skipped, details bool) {
	if len(skipped) == 0 || (p.format != FormatTable && p.format != "") {
		return
	}
	w := p.ios.ErrOut
	if !details {
		what := "documents could not be read and were skipped"
		if len(skipped) == 1 {
			what = "document could not be read and was skipped"
		}
		fmt.Fprintf(w, "%d %s; see --%s\n", len(skipped), what, ShowInvalidFlag)
		return
	}
	fmt.Fprintf(w, "Skipped %d document(s) that could not be read:\n", len(skipped))
	for _, s := range skipped {
		fmt.Fprintf(w, "  %s %s: %s\n", s.Collection, s.ID, s.Error)
	}
}

// MarshalJSON encodes v as the printer does, without HTML escaping, for a
// view whose MarshalJSON prints another value (such as a ListDoc): an
// escaped "\u003c" from json.Marshal would survive into the output.
func MarshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
