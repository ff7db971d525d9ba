package main

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/integr8scode/replayctl/bench/internal/results"
)

// result is one measured piece of work.
type result struct {
	work, size, dbOp string
	rawProduce       float64 // produce-only rate of the same records
	rawDB            float64 // insert-only or update-only rate of the same documents
	rate             float64 // replayctl's rate
	notes            []string
}

func (r result) floor() float64 { return min(r.rawProduce, r.rawDB) }

func (r result) ratio() float64 {
	if r.floor() == 0 {
		return 0
	}
	return r.rate / r.floor()
}

// report prints the table and reports whether every bar is met.
func report(rs []result) bool {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "work\tsize\traw produce msg/s\traw db msg/s\tslower raw msg/s\treplayctl msg/s\tratio\tbar\tresult\t")
	ok := true
	for _, r := range rs {
		verdict := "PASS"
		if r.ratio() < bar {
			verdict, ok = "FAIL", false
		}
		fmt.Fprintf(w, "%s\t%s\t%.0f\t%.1f (%s)\t%.1f\t%.1f\t%.2f\t%.2f\t%s\t\n",
			r.work, r.size, r.rawProduce, r.rawDB, r.dbOp, r.floor(), r.rate, r.ratio(), bar, verdict)
	}
	_ = w.Flush()
	fmt.Println()
	// The issue words the floor as the slower of the produce-only and the
	// update-only rates; the table holds each work to its own slower raw
	// rate, which for ingestion (insert-only) is the stricter bar.
	issueFloor := rs[0].rawProduce
	for _, r := range rs {
		issueFloor = min(issueFloor, r.rawProduce)
		if r.dbOp == "update" {
			issueFloor = min(issueFloor, r.rawDB)
		}
	}
	for _, r := range rs {
		fmt.Printf("note: %s against the issue's floor (slower of produce-only and update-only, %.1f msg/s): %.2f\n", r.work, issueFloor, r.rate/issueFloor)
	}
	for _, r := range rs {
		for _, n := range r.notes {
			fmt.Println("note:", n)
		}
	}
	return ok
}

// writeResults writes the figures and their bars to the results file.
func writeResults(path string, rs []result, g *growth) error {
	var figs []results.Figure
	for _, r := range rs {
		figs = append(figs,
			results.Figure{Name: fmt.Sprintf("%s (%s): replayctl msg/s", r.work, r.size), Value: fmt.Sprintf("%.1f", r.rate)},
			results.Figure{Name: fmt.Sprintf("%s: slower raw msg/s (produce, %s)", r.work, r.dbOp), Value: fmt.Sprintf("%.1f", r.floor())},
			results.Figure{Name: fmt.Sprintf("%s: replayctl / slower raw", r.work), Value: fmt.Sprintf("%.2f", r.ratio()), Bar: fmt.Sprintf(">= %.2f", bar), Pass: r.ratio() >= bar},
		)
	}
	if g != nil {
		figs = append(figs,
			results.Figure{Name: fmt.Sprintf("ingest at %d stored / raw insert", g.stored), Value: fmt.Sprintf("%.2f", g.rawRatio()), Bar: fmt.Sprintf(">= %.2f", growthRawBar), Pass: g.rawRatio() >= growthRawBar},
			results.Figure{Name: fmt.Sprintf("ingest at %d stored / into empty", g.stored), Value: fmt.Sprintf("%.2f", g.emptyRatio()), Bar: fmt.Sprintf(">= %.2f", growthEmptyBar), Pass: g.emptyRatio() >= growthEmptyBar},
		)
	}
	return results.Write(path, "dlq", figs)
}
