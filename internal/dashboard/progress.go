package dashboard

import (
	"fmt"
	"strings"
	"time"

	"github.com/integr8scode/replayctl/internal/output"
)

// progressBar is a bar of width cells followed by done/total, e.g.
// "█████░░░░░ 512/1.0k". An unknown total (0) shows the count alone.
func progressBar(done, total int64, width int) string {
	if total <= 0 {
		return strings.Repeat("░", width) + " " + count(done) + "/?"
	}
	frac := float64(done) / float64(total)
	frac = min(max(frac, 0), 1)
	full := int(frac * float64(width))
	return strings.Repeat("█", full) + strings.Repeat("░", width-full) + " " + count(done) + "/" + count(total)
}

// count abbreviates large numbers so columns stay narrow: 950, 1.2k, 34k,
// 1.5M.
func count(n int64) string {
	f := float64(n)
	switch {
	case n < 0:
		return "-" + count(-n)
	case n < 1000:
		return fmt.Sprintf("%d", n)
	case n < 10_000:
		return fmt.Sprintf("%.1fk", f/1e3)
	case n < 1_000_000:
		return fmt.Sprintf("%.0fk", f/1e3)
	case n < 10_000_000:
		return fmt.Sprintf("%.1fM", f/1e6)
	default:
		return fmt.Sprintf("%.0fM", f/1e6)
	}
}

// rateText is a rate per second, "-" when nothing moves.
func rateText(perSecond float64) string {
	switch {
	case perSecond <= 0:
		return "-"
	case perSecond < 10:
		return fmt.Sprintf("%.1f/s", perSecond)
	default:
		return count(int64(perSecond+0.5)) + "/s"
	}
}

// eta is how long remaining items take at rate per second: "-" when it
// cannot be known (no rate), "done" when nothing remains.
func eta(remaining int64, perSecond float64) string {
	switch {
	case remaining <= 0:
		return "done"
	case perSecond <= 0:
		return "-"
	}
	d := time.Duration(float64(remaining) / perSecond * float64(time.Second))
	return output.Duration(d.Round(time.Second))
}
