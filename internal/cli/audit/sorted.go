package auditcmd

import (
	"maps"
	"slices"
)

// sortedPairs renders a map as key=value pairs in key order, so a record
// reads the same every time.
func sortedPairs(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+"="+m[k])
	}
	return out
}
