package dashboard

import (
	"strings"

	"github.com/integr8scode/replayctl/internal/output"
)

// column is one column of a list view. Width is its natural width; the one
// Flex column takes what is left. Columns with a higher Drop go first when
// the terminal is too narrow (0 is never dropped).
type column struct {
	Title string
	Width int
	Flex  bool
	Min   int // the flexible column's minimum; minFlex when 0
	Drop  int
}

func (c column) min() int {
	if c.Min > 0 {
		return c.Min
	}
	return minFlex
}

// minFlex is the narrowest a flexible column (an error, a target) may get
// before other columns are dropped to make room.
const minFlex = 12

// fitColumns picks the columns that fit in width (two spaces between
// columns, two for the cursor and mark gutter) and their widths.
func fitColumns(cols []column, width int) (keep []int, widths []int) {
	alive := make([]bool, len(cols))
	for i := range alive {
		alive[i] = true
	}
	for {
		used := 2
		for i, c := range cols {
			if !alive[i] {
				continue
			}
			if c.Flex {
				used += c.min() + 2
				continue
			}
			used += c.Width + 2
		}
		if used <= width {
			break
		}
		victim := -1
		for i, c := range cols {
			if alive[i] && c.Drop > 0 && (victim < 0 || c.Drop > cols[victim].Drop) {
				victim = i
			}
		}
		if victim < 0 {
			break
		}
		alive[victim] = false
	}
	used := 2
	for i, c := range cols {
		if alive[i] && !c.Flex {
			used += c.Width + 2
		}
	}
	last := len(cols) - 1
	for last > 0 && !alive[last] {
		last--
	}
	for i, c := range cols {
		if !alive[i] {
			continue
		}
		w := c.Width
		if c.Flex {
			w = width - used
			if i != last {
				w -= 2
			}
			w = max(w, c.min())
		}
		keep = append(keep, i)
		widths = append(widths, w)
	}
	return keep, widths
}

// renderRow lays out cells in the kept columns, truncating and padding by
// display width so styled and wide characters line up.
func renderRow(gutter string, cells []string, keep, widths []int, paint func(col int, cell string) string) string {
	var b strings.Builder
	b.WriteString(gutter)
	for j, i := range keep {
		cell := ""
		if i < len(cells) {
			cell = cells[i]
		}
		cell = output.Truncate(cell, widths[j])
		if paint != nil {
			cell = paint(i, cell)
		}
		if j < len(keep)-1 {
			cell += strings.Repeat(" ", widths[j]-output.Width(cell)) + "  "
		}
		b.WriteString(cell)
	}
	return strings.TrimRight(b.String(), " ")
}

// matchesFilter says whether a row matches the text filter: every
// whitespace-separated word of q occurs, case-insensitively, in some cell.
func matchesFilter(cells []string, q string) bool {
	words := strings.Fields(strings.ToLower(q))
	if len(words) == 0 {
		return true
	}
	hay := strings.ToLower(strings.Join(cells, "\x00"))
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// listWindow is the first row to show so that cursor stays visible in a
// body of height rows, keeping the previous offset when it still works.
func listWindow(offset, cursor, height, n int) int {
	if height <= 0 || n <= height {
		return 0
	}
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+height {
		offset = cursor - height + 1
	}
	return min(max(offset, 0), n-height)
}
