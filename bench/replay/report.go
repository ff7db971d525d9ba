package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/integr8scode/replayctl/bench/internal/results"
)

// report prints the measurements against the bars and reports whether all
// bars are met.
func report(c config, r rates, rss *rssResult) bool {
	floor := min(r.scan, r.produce)
	// The platform reads each event and then handles it, one after the
	// other: its time is the read plus the per-event work.
	whole := 1 / (1/r.scan + 1/r.platform)
	rawRatio, platRatio := r.replay/floor, r.replay/whole
	ok := true
	verdict := func(pass bool) string {
		if !pass {
			ok = false
			return "FAIL"
		}
		return "PASS"
	}
	fmt.Println()
	fmt.Printf("sizes: %d events for the rates (seeded in %s); platform algorithm timed on %d of them per round, rate extrapolated; best of %d interleaved rounds\n",
		r.events, r.seedTook.Round(time.Millisecond), r.platformN, r.rounds)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "measurement\tbest events/s\tall rounds\t")
	rows := []struct{ name, key string }{
		{"raw MongoDB scan (one sorted cursor, same filter)", "scan"},
		{"raw Kafka produce (async, pre-built records)", "produce"},
		{"replayctl replay end to end (create+start+run)", "replay"},
		{"platform algorithm, per-event part (awaited publish + session update)", "platform"},
	}
	for _, row := range rows {
		fmt.Fprintf(w, "%s\t%.0f\t%s\t\n", row.name, best(r.samples[row.key]), list(r.samples[row.key]))
	}
	_ = w.Flush()
	fmt.Println()
	fmt.Printf("replay / min(raw scan, raw produce) = %.0f / %.0f = %.2f   (bar >= %.1f)  %s\n",
		r.replay, floor, rawRatio, barRaw, verdict(rawRatio >= barRaw))
	fmt.Printf("replay / platform algorithm         = %.0f / %.0f = %.1fx  (bar >= %.0fx)  %s\n",
		r.replay, whole, platRatio, barPlatform, verdict(platRatio >= barPlatform))
	fmt.Printf("  (the platform's algorithm reads the same events, at best with one sorted cursor (%.0f/s),\n"+
		"   then per event awaits one publish and one session write (%.0f/s): %.0f/s in all;\n"+
		"   against the per-event part alone the ratio is %.1fx)\n", r.scan, r.platform, whole, r.replay/r.platform)
	if rss == nil {
		fmt.Println("peak RSS: skipped (-rss-events 0)")
		return ok
	}
	mb := float64(rss.child.PeakRSSKB) / 1024
	fmt.Printf("peak RSS of a %d-event replay in its own process = %.1f MB  (bar < %.0f MB)  %s\n",
		rss.events, mb, barRSSMB, verdict(mb < barRSSMB && rss.child.Replayed == int64(rss.events)))
	fmt.Printf("  (seeded in %s; the child replayed %d events in %.0f s, %s: first event after %.1f s, as the embedded server sorts in memory first)\n",
		rss.seedTook.Round(time.Second), rss.child.Replayed, rss.child.Seconds, rss.child.Outcome, rss.child.FirstEvent)
	return ok
}

func best(xs []float64) float64 {
	b := 0.0
	for _, x := range xs {
		b = max(b, x)
	}
	return b
}

func list(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.0f", x)
	}
	return strings.Join(parts, " ")
}

// writeResults writes the figures and their bars to the results file.
func writeResults(path string, r rates, rss *rssResult) error {
	floor := min(r.scan, r.produce)
	whole := 1 / (1/r.scan + 1/r.platform)
	figs := []results.Figure{
		{Name: "events (best of rounds)", Value: fmt.Sprintf("%d (%d)", r.events, r.rounds)},
		{Name: "raw MongoDB scan, events/s", Value: fmt.Sprintf("%.0f", r.scan)},
		{Name: "raw Kafka produce, events/s", Value: fmt.Sprintf("%.0f", r.produce)},
		{Name: "replay end to end, events/s", Value: fmt.Sprintf("%.0f", r.replay)},
		{Name: "replay / min(raw scan, raw produce)", Value: fmt.Sprintf("%.2f", r.replay/floor), Bar: fmt.Sprintf(">= %.1f", barRaw), Pass: r.replay/floor >= barRaw},
		{Name: "replay / platform algorithm", Value: fmt.Sprintf("%.1fx", r.replay/whole), Bar: fmt.Sprintf(">= %.0fx", barPlatform), Pass: r.replay/whole >= barPlatform},
	}
	if rss != nil {
		mb := float64(rss.child.PeakRSSKB) / 1024
		figs = append(figs, results.Figure{
			Name: fmt.Sprintf("peak RSS of a %d-event replay", rss.events), Value: fmt.Sprintf("%.1f MB", mb),
			Bar: fmt.Sprintf("< %.0f MB", barRSSMB), Pass: mb < barRSSMB && rss.child.Replayed == int64(rss.events),
		})
	}
	return results.Write(path, "replay", figs)
}
