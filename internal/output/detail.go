package output

import (
	"bytes"
	"strings"
)

// printDetail renders sections as
//
//	Title
//	Key:       value
//	Other key: value
//
// with values aligned per section and a blank line between sections. It is
// rendered whole into a buffer so a failing nested table leaves no partial
// screen behind.
func (p *Printer) printDetail(v DetailView) error {
	var buf bytes.Buffer
	for i, sec := range v.DetailSections(p.styles) {
		if i > 0 {
			buf.WriteByte('\n')
		}
		if err := p.writeSection(&buf, sec); err != nil {
			return err
		}
	}
	_, err := p.ios.Out.Write(buf.Bytes())
	return err
}

func (p *Printer) writeSection(buf *bytes.Buffer, sec Section) error {
	if sec.Title != "" {
		buf.WriteString(p.styles.Bold(sec.Title))
		buf.WriteByte('\n')
	}
	writeFields(buf, sec.Fields)
	if sec.Table == nil {
		return nil
	}
	if len(sec.Fields) > 0 {
		buf.WriteByte('\n')
	}
	return p.printTable(buf, sec.Table)
}

// writeFields aligns values two columns after the longest "Key:" and
// indents continuation lines of multi-line values to the same column, so
// the value column stays scannable.
func writeFields(buf *bytes.Buffer, fields []Field) {
	keyWidth := 0
	for _, f := range fields {
		keyWidth = max(keyWidth, Width(f.Key)+1)
	}
	indent := strings.Repeat(" ", keyWidth+2)
	for _, f := range fields {
		label := f.Key + ":"
		if f.Value == "" {
			buf.WriteString(label + "\n")
			continue
		}
		pad := strings.Repeat(" ", keyWidth-Width(label)+2)
		buf.WriteString(label + pad + indentContinuation(f.Value, indent) + "\n")
	}
}

// indentContinuation indents every line but the first, leaving blank lines
// empty rather than full of spaces.
func indentContinuation(value, indent string) string {
	lines := strings.Split(strings.TrimRight(value, "\n"), "\n")
	for i := 1; i < len(lines); i++ {
		if lines[i] != "" {
			lines[i] = indent + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}
