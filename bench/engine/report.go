package main

import (
	"fmt"

	"github.com/integr8scode/replayctl/bench/internal/results"
)

// report prints the best figures, the engine's share of the CPU and the
// bars; it returns errBarMissed when one is missed.
func report(c config, r outcome) error {
	e, raw := r.engine, r.raw
	ratio := e.rate() / raw.rate()
	attributable := e.cpuMicrosPerEvent() - raw.cpuMicrosPerEvent()
	cpuOK, rateOK := e.cpuMicrosPerEvent() <= barCPUMicros, ratio >= barRawRatio
	fmt.Printf("\nbest of %d rounds, %d events (%.0f bytes of BSON on average):\n", r.rounds, r.events, r.avgBytes)
	printSample("raw produce", raw)
	printSample("engine", e)
	fmt.Println("CPU is the whole process's (getrusage user+sys): both figures include kfake, the broker in this process,")
	fmt.Println("and the franz-go client; the engine's also its MongoDB client for the session bookkeeping (the server runs")
	fmt.Println("in a child process and is not counted).")
	fmt.Printf("engine CPU beyond the raw produce (the engine's own work): %.2f µs/event, %.2f allocs/event\n",
		attributable, e.allocsPerEvent()-raw.allocsPerEvent())
	fmt.Printf("%-48s %6.2f µs   bar <= %.1f  %s\n", "engine CPU per event (process, incl. kfake)", e.cpuMicrosPerEvent(), barCPUMicros, pass(cpuOK))
	fmt.Printf("%-48s %6.2f      bar >= %.1f  %s\n", "engine rate / raw produce rate", ratio, barRawRatio, pass(rateOK))
	if c.resultsFile != "" {
		figs := []results.Figure{
			{Name: "events (avg BSON bytes)", Value: fmt.Sprintf("%d (%.0f)", r.events, r.avgBytes)},
			{Name: "raw produce: events/s", Value: fmt.Sprintf("%.0f", raw.rate())},
			{Name: "raw produce: CPU µs/event (process, incl. kfake)", Value: fmt.Sprintf("%.2f", raw.cpuMicrosPerEvent())},
			{Name: "raw produce: allocs/event", Value: fmt.Sprintf("%.1f", raw.allocsPerEvent())},
			{Name: "engine: events/s", Value: fmt.Sprintf("%.0f", e.rate())},
			{Name: "engine: CPU µs/event (process, incl. kfake)", Value: fmt.Sprintf("%.2f", e.cpuMicrosPerEvent()), Bar: fmt.Sprintf("<= %.1f", barCPUMicros), Pass: cpuOK},
			{Name: "engine: CPU µs/event beyond raw produce", Value: fmt.Sprintf("%.2f", attributable)},
			{Name: "engine: allocs/event", Value: fmt.Sprintf("%.1f", e.allocsPerEvent())},
			{Name: "engine rate / raw produce rate", Value: fmt.Sprintf("%.2f", ratio), Bar: fmt.Sprintf(">= %.1f", barRawRatio), Pass: rateOK},
		}
		note := fmt.Sprintf("Best of %d interleaved rounds. CPU is the process's (getrusage), including kfake in the same process; the event store runs in a child process.", r.rounds)
		if err := results.Write(c.resultsFile, "engine", figs, note); err != nil {
			return err
		}
	}
	if !cpuOK || !rateOK {
		return errBarMissed
	}
	return nil
}

func pass(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}
