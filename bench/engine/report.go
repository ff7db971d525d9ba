package main

import (
	"fmt"
	"runtime"
	"slices"

	"github.com/integr8scode/replayctl/bench/internal/results"
)

// report prints the best figures, the engine's share of the CPU and the
// bars; it returns errBarMissed when one is missed.
func report(c config, r outcome) error {
	e, raw := r.engine, r.raw
	ratio := e.rate() / raw.rate()
	broker, brokerRaw := r.brokerShare("engine, broker apart"), r.brokerShare("raw, broker apart")
	own := e.cpuMicrosPerEvent() - broker
	// The bar is held against medians over the rounds, not the fastest
	// round (whose CPU may be anything), and against two measurements of
	// the engine's own CPU: a pass needs both.
	medOwn, medRatio := r.medians(broker)
	direct := r.medianApart()
	cpuOK, rateOK := medOwn <= barCPUMicros && direct <= barCPUMicros, ratio >= barRawRatio
	fmt.Printf("\nbest of %d rounds, %d events (%.0f bytes of BSON on average):\n", r.rounds, r.events, r.avgBytes)
	printSample("raw produce", raw)
	printSample("engine", e)
	printSample("raw produce, broker apart", r.rawApart)
	printSample("engine, broker apart", r.engineApart)
	fmt.Println("CPU is the process's (getrusage user+sys): kfake, the broker, runs in this process for the first two, in a")
	fmt.Println("child process for the calibration (broker apart; its CPU from /proc/PID/task/*/schedstat). The event")
	fmt.Println("store always runs in a child process; the engine's figures include its MongoDB client.")
	fmt.Printf("broker's CPU per event (kfake alone, in its child process, mean of the rounds): %.2f µs under the engine's traffic, %.2f µs under the raw produce's\n", broker, brokerRaw)
	fmt.Printf("engine CPU per event, total (process, incl. kfake): %.2f µs; beyond the raw produce: %.2f µs\n",
		e.cpuMicrosPerEvent(), e.cpuMicrosPerEvent()-raw.cpuMicrosPerEvent())
	fmt.Printf("engine process CPU per event measured with the broker apart (cross-check): %.2f µs\n", r.engineApart.cpuMicrosPerEvent())
	fmt.Printf("medians over the rounds (each round's engine against its own raw produce): excluding the broker %.2f µs, rate ratio %.2f\n", medOwn, medRatio)
	fmt.Printf("%-52s %6.2f µs   bar <= %.1f  %s (median over the rounds; cross-check's median %.2f µs; fastest round %.2f µs)\n",
		"engine CPU per event, excluding the broker", medOwn, barCPUMicros, pass(cpuOK), direct, own)
	fmt.Printf("%-52s %6.2f      bar >= %.1f  %s\n", "engine rate / raw produce rate", ratio, barRawRatio, pass(rateOK))
	cpuFactor, coreFactor := raw.cpuMicrosPerEvent()/e.cpuMicrosPerEvent(), e.cores()/raw.cores()
	fmt.Printf("  = CPU per event, raw ÷ engine, %.2f × cores kept busy, engine ÷ raw, %.2f (%.2f ÷ %.2f of %d)\n",
		cpuFactor, coreFactor, e.cores(), raw.cores(), runtime.NumCPU())
	if c.resultsFile != "" {
		figs := []results.Figure{
			{Name: "events (avg BSON bytes)", Value: fmt.Sprintf("%d (%.0f)", r.events, r.avgBytes)},
			{Name: "raw produce: events/s", Value: fmt.Sprintf("%.0f", raw.rate())},
			{Name: "raw produce: CPU µs/event (process, incl. kfake)", Value: fmt.Sprintf("%.2f", raw.cpuMicrosPerEvent())},
			{Name: "raw produce: allocs/event", Value: fmt.Sprintf("%.1f", raw.allocsPerEvent())},
			{Name: "broker (kfake alone): CPU µs/event under the engine's traffic", Value: fmt.Sprintf("%.2f", broker)},
			{Name: "broker (kfake alone): CPU µs/event under the raw produce's", Value: fmt.Sprintf("%.2f", brokerRaw)},
			{Name: "engine: events/s", Value: fmt.Sprintf("%.0f", e.rate())},
			{Name: "engine: CPU µs/event, total (process, incl. kfake)", Value: fmt.Sprintf("%.2f", e.cpuMicrosPerEvent())},
			{Name: "engine: CPU µs/event, excluding the broker (median of the rounds)", Value: fmt.Sprintf("%.2f", medOwn), Bar: fmt.Sprintf("<= %.1f", barCPUMicros), Pass: cpuOK},
			{Name: "engine: CPU µs/event, excluding the broker (fastest round)", Value: fmt.Sprintf("%.2f", own)},
			{Name: "engine: process CPU µs/event with the broker apart (cross-check, median)", Value: fmt.Sprintf("%.2f", direct), Bar: fmt.Sprintf("<= %.1f", barCPUMicros), Pass: direct <= barCPUMicros},
			{Name: "engine: allocs/event", Value: fmt.Sprintf("%.1f", e.allocsPerEvent())},
			{Name: "engine rate / raw produce rate", Value: fmt.Sprintf("%.2f", ratio), Bar: fmt.Sprintf(">= %.1f", barRawRatio), Pass: rateOK},
			{Name: "rate ratio's factors: CPU/event raw ÷ engine; cores busy engine ÷ raw", Value: fmt.Sprintf("%.2f; %.2f (%.2f ÷ %.2f of %d)", cpuFactor, coreFactor, e.cores(), raw.cores(), runtime.NumCPU())},
			{Name: "medians over the rounds: CPU µs/event excluding the broker; rate ratio", Value: fmt.Sprintf("%.2f; %.2f", medOwn, medRatio)},
		}
		note := fmt.Sprintf("Best of %d interleaved rounds. CPU is the process's (getrusage). The CPU bar is compared with medians over the rounds and must hold for both of: the engine's process CPU (kfake in the same process) minus kfake's own CPU per event under the engine's traffic, measured in a calibration where the same engine run sends to a kfake in a child process (its threads' schedstat); and the cross-check, that calibration's own process CPU: the engine with the broker in another process, as the issue measured it. The event store runs in a child process throughout.", r.rounds)
		if err := results.Write(c.resultsFile, "engine", figs, note); err != nil {
			return err
		}
	}
	if !cpuOK || !rateOK {
		return errBarMissed
	}
	return nil
}

// brokerShare is kfake's CPU per event on its own: the mean over the
// rounds of the broker process's CPU under the named calibration run. The
// engine's traffic costs the broker more per event than the raw produce's
// (smaller batches, more requests), so the engine's own share is taken
// under its own traffic.
func (r outcome) brokerShare(name string) float64 {
	var sum float64
	all := r.all[name]
	for _, s := range all {
		sum += s.brokerMicrosPerEvent()
	}
	return sum / float64(max(len(all), 1))
}

// medians are the median over the rounds of the engine's CPU per event
// less the broker's share, and of the rate ratio within each round: the
// best-of figures pair samples taken seconds apart, under another load.
func (r outcome) medians(broker float64) (own, ratio float64) {
	eng, raw := r.all["engine"], r.all["raw"]
	var owns, ratios []float64
	for i := range min(len(eng), len(raw)) {
		owns = append(owns, eng[i].cpuMicrosPerEvent()-broker)
		ratios = append(ratios, eng[i].rate()/raw[i].rate())
	}
	return median(owns), median(ratios)
}

// medianApart is the median over the rounds of the engine's process CPU
// per event with the broker in another process.
func (r outcome) medianApart() float64 {
	var v []float64
	for _, s := range r.all["engine, broker apart"] {
		v = append(v, s.cpuMicrosPerEvent())
	}
	return median(v)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func pass(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}
