package dlqcmd

import (
	"bytes"
	"encoding/json"
)

// marshalList encodes a slice, never as null, so scripts can always
// iterate; without HTML escaping, like the printer, because normalised
// error patterns are full of "<n>" and "<id>".
func marshalList[T any](items []T) ([]byte, error) {
	if items == nil {
		items = []T{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(items); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
