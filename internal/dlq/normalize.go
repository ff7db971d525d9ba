package dlq

import (
	"regexp"
	"strings"
)

// Placeholders NormalizeError puts in place of variable parts.
const (
	PlaceholderID       = "<id>"
	PlaceholderNumber   = "<n>"
	PlaceholderDuration = "<d>"
	PlaceholderValue    = "<v>"
)

var (
	uuidRe     = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	durationRe = regexp.MustCompile(`^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$`)
	numberRe   = regexp.MustCompile(`^\d+(?:\.\d+)*$`)
)

// NormalizeError reduces an error message to its pattern, so messages that
// differ only in ids, numbers, durations or quoted values group together:
// UUIDs and hex ids of 8 or more characters become <id>, numbers <n>,
// durations such as 30s or 1.5ms <d>, and 'quoted' or "quoted" values '<v>'.
// Whitespace runs collapse to one space.
func NormalizeError(msg string) string {
	msg = uuidRe.ReplaceAllString(msg, PlaceholderID)
	var b strings.Builder
	b.Grow(len(msg))
	space := false
	for i := 0; i < len(msg); {
		c := msg[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			space = true
			i++
			continue
		case space && b.Len() > 0:
			b.WriteByte(' ')
		}
		space = false
		if end := quotedEnd(msg, i); end > 0 {
			b.WriteByte(c)
			b.WriteString(PlaceholderValue)
			b.WriteByte(c)
			i = end
			continue
		}
		if !isWordByte(c) {
			b.WriteByte(c)
			i++
			continue
		}
		end := tokenEnd(msg, i)
		b.WriteString(classify(msg[i:end]))
		i = end
	}
	return b.String()
}

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// tokenEnd finds the end of the word starting at i; a dot between digits
// stays inside it, so 1.5s and 10.0.0.1 are one token each.
func tokenEnd(s string, i int) int {
	j := i
	for j < len(s) {
		if isWordByte(s[j]) {
			j++
			continue
		}
		if s[j] == '.' && j > i && isDigit(s[j-1]) && j+1 < len(s) && isDigit(s[j+1]) {
			j++
			continue
		}
		break
	}
	return j
}

// quotedEnd returns the index after a quoted value starting at i, or 0.
// Quotes count only at word boundaries, so apostrophes in can't do not.
func quotedEnd(s string, i int) int {
	q := s[i]
	if q != '\'' && q != '"' {
		return 0
	}
	if i > 0 && isWordByte(s[i-1]) {
		return 0
	}
	close := strings.IndexByte(s[i+1:], q)
	if close < 0 {
		return 0
	}
	end := i + 1 + close + 1
	if strings.ContainsAny(s[i+1:end-1], "\n") || end < len(s) && isWordByte(s[end]) {
		return 0
	}
	return end
}

func classify(tok string) string {
	switch {
	case numberRe.MatchString(tok):
		return PlaceholderNumber
	case durationRe.MatchString(tok):
		return PlaceholderDuration
	case isHexID(tok):
		return PlaceholderID
	}
	return tok
}

// isHexID: 8+ hex digits with at least one decimal digit, so ordinary words
// spelled with a-f letters only (like "acceded") stay.
func isHexID(tok string) bool {
	if len(tok) < 8 {
		return false
	}
	digit := false
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case isDigit(c):
			digit = true
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
		default:
			return false
		}
	}
	return digit
}
