package output

import (
	"bytes"
	"io"
	"regexp"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

const (
	// columnGap separates columns; two spaces reads as a column break
	// without wasting width (same as gh).
	columnGap = "  "
	// minColumnWidth stops width fitting from shrinking a column into
	// unreadable stubs; past this point the terminal is allowed to wrap.
	minColumnWidth = 6
)

// printTable picks the table flavour from the destination: people get an
// aligned, width-fitted table; pipes get TSV that `cut -f`/`awk -F'\t'` can
// consume and that never changes shape with the terminal size.
func (p *Printer) printTable(w io.Writer, v TableView) error {
	if !p.ios.IsStdoutTTY() {
		// Colourless styles: escape codes would corrupt field values.
		return writeTSV(w, v.TableHeader(), v.TableRows(NewStyles(false)))
	}
	header := v.TableHeader()
	rows := v.TableRows(p.styles)
	return writeAligned(w, p.styles, header, rows, p.ios.TerminalWidth())
}

// flattenCell turns line breaks and tabs into spaces so one row stays one
// line.
var flattenCell = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ")

// ansiCSI matches CSI escape sequences (colours, cursor control).
var ansiCSI = regexp.MustCompile("\x1b\\[[0-9;?]*[ -/]*[@-~]")

// tsvCell makes a value safe for one TSV field: tabs and newlines would
// split it, and escape codes would pollute it.
func tsvCell(s string) string {
	s = ansiCSI.ReplaceAllString(s, "")
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

func writeTSV(w io.Writer, header []string, rows [][]string) error {
	var buf bytes.Buffer
	writeLine := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				buf.WriteByte('\t')
			}
			buf.WriteString(tsvCell(c))
		}
		buf.WriteByte('\n')
	}
	if hasHeader(header) {
		writeLine(header)
	}
	for _, r := range rows {
		writeLine(r)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// writeAligned fits the table to width itself and uses tablewriter only for
// layout: tablewriter's own MaxWidth handling wraps cells onto extra lines,
// whereas a list should keep one row per line and truncate with "…".
func writeAligned(w io.Writer, st *Styles, header []string, rows [][]string, width int) error {
	ncols := columnCount(header, rows)
	if ncols == 0 {
		return nil
	}
	header, rows = normalize(header, ncols), normalizeRows(rows, ncols)
	limits := fitWidths(naturalWidths(header, rows, ncols), width-len(columnGap)*(ncols-1))
	for _, r := range rows {
		truncateCells(r, limits)
	}

	var buf bytes.Buffer
	t := newLayoutTable(&buf)
	if hasHeader(header) {
		truncateCells(header, limits)
		for i, h := range header {
			header[i] = st.Bold(h)
		}
		t.Header(header)
	}
	if err := t.Bulk(rows); err != nil {
		return err
	}
	if err := t.Render(); err != nil {
		return err
	}
	_, err := w.Write(tidyLines(buf.Bytes()))
	return err
}

// newLayoutTable configures tablewriter as a pure column aligner: no
// borders, rules or separators, no header rewriting (it would upper-case and
// re-space our headers) and no wrapping (we already fitted the widths).
func newLayoutTable(w io.Writer) *tablewriter.Table {
	return tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders:  tw.BorderNone,
			Symbols:  tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{Separators: tw.SeparatorsNone, Lines: tw.LinesNone},
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithPadding(tw.Padding{Right: columnGap, Overwrite: true}),
	)
}

var (
	// redundantReset matches a reset that follows another reset with only
	// padding in between.
	redundantReset = regexp.MustCompile("(\x1b\\[0m)( *)\x1b\\[0m")
	// trailingPad matches padding (and resets inside it) at the end of a line.
	trailingPad = regexp.MustCompile("(?:\x1b\\[0m| )+$")
)

// tidyLines removes artefacts of tablewriter's layout: it pads the last
// column (invisible on screen, noisy in copies and diffs) and appends a reset
// after the padding of every styled cell even though our styled text already
// ends in one.
func tidyLines(b []byte) []byte {
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		l = redundantReset.ReplaceAllString(l, "$1$2")
		trimmed := trailingPad.ReplaceAllString(l, "")
		if strings.Contains(l[len(trimmed):], "\x1b[0m") && !strings.HasSuffix(trimmed, "\x1b[0m") {
			trimmed += "\x1b[0m" // keep styles from bleeding into the next line
		}
		lines[i] = trimmed
	}
	return []byte(strings.Join(lines, "\n"))
}

func columnCount(header []string, rows [][]string) int {
	n := len(header)
	for _, r := range rows {
		n = max(n, len(r))
	}
	return n
}

func hasHeader(header []string) bool {
	for _, h := range header {
		if h != "" {
			return true
		}
	}
	return false
}

// normalize returns a copy with exactly n single-line cells, so ragged rows
// from views cannot shift columns and newlines cannot break row alignment.
func normalize(cells []string, n int) []string {
	out := make([]string, n)
	for i := 0; i < n && i < len(cells); i++ {
		out[i] = flattenCell.Replace(cells[i])
	}
	return out
}

func normalizeRows(rows [][]string, n int) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = normalize(r, n)
	}
	return out
}

func naturalWidths(header []string, rows [][]string, n int) []int {
	widths := make([]int, n)
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			widths[i] = max(widths[i], Width(c))
		}
	}
	return widths
}

func truncateCells(cells []string, limits []int) {
	for i := range cells {
		cells[i] = Truncate(cells[i], limits[i])
	}
}

// fitWidths shrinks columns until their sum fits budget. It lowers a shared
// ceiling, so the widest columns (descriptions, errors, names) give up space
// first while narrow ones (IDs, statuses, ages) stay intact. Any space left
// under the ceiling goes to the leftmost capped columns. Columns never drop
// below minColumnWidth; if even that cannot fit, the table overflows rather
// than becoming unreadable.
func fitWidths(natural []int, budget int) []int {
	if sum(natural) <= budget {
		return natural
	}
	ceiling := largestCeiling(natural, budget)
	out := make([]int, len(natural))
	for i, w := range natural {
		out[i] = capWidth(w, ceiling)
	}
	spare := budget - sum(out)
	for i, w := range natural {
		if spare <= 0 {
			break
		}
		if grow := min(w-out[i], spare); grow > 0 {
			out[i] += grow
			spare -= grow
		}
	}
	return out
}

// largestCeiling binary-searches the highest ceiling whose capped widths
// fit in budget (0 if nothing fits; capWidth's floor then applies).
func largestCeiling(natural []int, budget int) int {
	lo, hi := 0, 0
	for _, w := range natural {
		hi = max(hi, w)
	}
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if cappedSum(natural, mid) <= budget {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

func cappedSum(natural []int, ceiling int) int {
	total := 0
	for _, w := range natural {
		total += capWidth(w, ceiling)
	}
	return total
}

func capWidth(w, ceiling int) int {
	return max(min(w, ceiling), min(w, minColumnWidth))
}

func sum(xs []int) int {
	total := 0
	for _, x := range xs {
		total += x
	}
	return total
}
