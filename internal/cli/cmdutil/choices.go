package cmdutil

import "github.com/integr8scode/replayctl/internal/flagvalue"

// Names returns the values of an enumeration, in order, for help text,
// completion and validation.
func Names[T ~string](all []T) []string {
	out := make([]string, len(all))
	for i, v := range all {
		out[i] = string(v)
	}
	return out
}

// ParseChoices validates a repeatable, comma-separated flag against the
// members of an enumeration and returns them typed; nil when none was given.
func ParseChoices[T ~string](flag string, values []string, all []T) ([]T, error) {
	names, err := flagvalue.Choices(flag, values, Names(all))
	if err != nil || len(names) == 0 {
		return nil, err
	}
	out := make([]T, len(names))
	for i, n := range names {
		out[i] = T(n)
	}
	return out, nil
}
