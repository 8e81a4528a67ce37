package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/units"
)

// runOrSweep runs one strategy: once, or as a rate sweep when the load is
// one.
func runOrSweep(ctx context.Context, sc *scenarios.Scenario, spec scenarios.Strategy, o Options) (metrics.StrategyResult, bool, error) {
	switch {
	case sc.Load.Sweep != nil:
		return runSweep(ctx, sc, spec, o)
	case len(sc.Load.Widths) > 0:
		return runWidths(ctx, sc, spec, o)
	}
	return runStrategy(ctx, sc, spec, o)
}

// runSweep runs the strategy at each rate of the sweep, each step a
// constant-rate run on fresh upstreams (as runStrategy gives every
// strategy), and stops at the first step that breaks the SLO: a higher
// rate would only break it further, and a sweep past saturation takes long
// and loads the machine for nothing.
//
// The result holds the full figures of the highest step that passed (of
// the first step when none did), with every step in its Sweep field.
func runSweep(ctx context.Context, sc *scenarios.Scenario, spec scenarios.Strategy, o Options) (metrics.StrategyResult, bool, error) {
	sw := sc.Load.Sweep
	res := &metrics.SweepResult{SLO: sw.SLO.String(), StepDurationS: sw.StepDuration.D().Seconds()}
	var details metrics.StrategyResult
	for i, rate := range sw.Rates() {
		sr, interrupted, err := runStrategy(ctx, stepScenario(sc, rate), spec, o)
		if err != nil {
			return metrics.StrategyResult{}, false, fmt.Errorf("sweep step at %v: %w", units.Rate(rate), err)
		}
		step := judgeStep(sw.SLO, rate, sr)
		if interrupted { // a cut-short step proves nothing either way
			step.Passed, step.Broke = false, "interrupted: not judged"
		}
		res.Steps = append(res.Steps, step)
		verdict := "met the SLO"
		if !step.Passed {
			verdict = step.Broke
		}
		progress(o.Progress, "  %s at %v: p50 %.1f ms, p99 %.1f ms, errors %.2f%%: %s",
			sr.Name, units.Rate(rate), step.P50, step.P99, step.ErrorRate*100, verdict)
		if i == 0 || step.Passed {
			details, res.DetailsAt = sr, rate
		}
		if step.Passed {
			res.SustainedRate = rate
		}
		if interrupted {
			details.Sweep = res
			return details, true, nil
		}
		if !step.Passed {
			res.StoppedAt = rate
			progress(o.Progress, "  %s: sweep stopped at %v; sustained %v within %s",
				sr.Name, units.Rate(rate), units.Rate(res.SustainedRate), res.SLO)
			break
		}
	}
	details.Sweep = res
	return details, false, nil
}

// stepScenario is sc with its sweep replaced by one constant rate for the
// step's duration; the rest of the load (warm-up, arrivals, cap) stays.
func stepScenario(sc *scenarios.Scenario, rate float64) *scenarios.Scenario {
	step := *sc
	step.Load.Sweep = nil
	step.Load.Rate = units.Rate(rate)
	step.Load.Duration = sc.Load.Sweep.StepDuration
	step.Load.Stages, step.Load.Operations = nil, 0
	return &step
}

// judgeStep summarises a step and checks it against the SLO. Dropped
// operations count as errors: an operation never started did not meet the
// objective. A step that measured no operation fails.
func judgeStep(slo scenarios.SLO, rate float64, sr metrics.StrategyResult) metrics.SweepStep {
	step := metrics.SweepStep{Rate: rate, Throughput: sr.Throughput, Operations: sr.Operations, Dropped: sr.Dropped,
		P50: sr.Latency.P50, P99: sr.Latency.P99, SLOLatency: latencyAt(sr.Latency, slo.Percentile)}
	total := sr.Operations + sr.Dropped
	if total == 0 {
		step.Broke = "no operation measured"
		return step
	}
	step.ErrorRate = (sr.ErrorRate*float64(sr.Operations) + float64(sr.Dropped)) / float64(total)
	if sr.Operations > 0 {
		step.LateStarts = float64(sr.LateStarts) / float64(sr.Operations)
	}
	step.Passed, step.Broke = slo.Met(time.Duration(step.SLOLatency*float64(time.Millisecond)), step.ErrorRate)
	return step
}

// latencyAt picks the summary's figure (ms) for one of the percentiles an
// SLO may name.
func latencyAt(s metrics.Summary, percentile float64) float64 {
	switch percentile {
	case 50:
		return s.P50
	case 90:
		return s.P90
	case 95:
		return s.P95
	case 99:
		return s.P99
	default: // 99.9, the only other one ParseSLO accepts
		return s.P999
	}
}
