package output

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Confirm asks a yes/no question on stderr (so stdout stays clean for data)
// and reads one line from stdin. Only "y"/"yes" in any case accept; anything
// else, including an empty line or end of input, declines: the default is
// the safe answer. Callers should check ios.CanPrompt first and require an
// explicit --yes flag when it is false.
func Confirm(ios *IOStreams, prompt string) (bool, error) {
	if _, err := fmt.Fprintf(ios.ErrOut, "%s [y/N]: ", prompt); err != nil {
		return false, err
	}
	line, err := readLine(ios.In)
	if errors.Is(err, io.EOF) {
		// Terminate the prompt line so following output starts cleanly.
		fmt.Fprintln(ios.ErrOut)
	} else if err != nil {
		return false, fmt.Errorf("reading confirmation: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// readLine reads up to and including '\n' one byte at a time. Wrapping In in
// a bufio.Reader would be faster but would swallow input past the newline,
// stealing it from whatever reads stdin next (e.g. a second prompt).
// It returns io.EOF only when input ended before a newline.
func readLine(r io.Reader) (string, error) {
	if r == nil {
		return "", io.EOF
	}
	var sb strings.Builder
	b := make([]byte, 1)
	for {
		n, err := r.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				return sb.String(), nil
			}
			sb.WriteByte(b[0])
		}
		if err != nil {
			return sb.String(), err
		}
	}
}
