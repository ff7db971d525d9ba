package dashboard

import "strings"

// sparkBlocks are the eight heights of a sparkline cell, lowest first.
var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// sparkline draws the last width values as block characters scaled from 0
// to the largest value shown, so a flat line of zeros stays at the bottom
// and the shape of a rate or backlog reads at a glance. It is left-padded
// with spaces while fewer than width values exist.
func sparkline(values []float64, width int) string {
	if width <= 0 {
		return ""
	}
	if len(values) > width {
		values = values[len(values)-width:]
	}
	peak := 0.0
	for _, v := range values {
		peak = max(peak, v)
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", width-len(values)))
	for _, v := range values {
		i := 0
		if peak > 0 && v > 0 {
			i = int(v / peak * float64(len(sparkBlocks)-1))
			i = min(max(i, 0), len(sparkBlocks)-1)
		}
		b.WriteRune(sparkBlocks[i])
	}
	return b.String()
}

// history keeps the last n samples per key (a session or a topic), so
// sparklines survive view switches and grow with each refresh.
type history struct {
	n    int
	data map[string][]float64
}

func newHistory(n int) *history { return &history{n: n, data: map[string][]float64{}} }

func (h *history) add(key string, v float64) {
	s := append(h.data[key], v)
	if len(s) > h.n {
		s = s[len(s)-h.n:]
	}
	h.data[key] = s
}

func (h *history) get(key string) []float64 { return h.data[key] }
