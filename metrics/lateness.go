package metrics

import (
	"fmt"
	"math"
	"strings"
)

// MaterialLateness is the share of the median latency that the generator's
// lateness may reach before a run's figures are called untrustworthy.
// Latency counts from each operation's intended start, so a start late by
// d adds d to that operation's latency: a few milliseconds on operations of
// hundreds is noise, on operations of a few milliseconds it is the figure.
const MaterialLateness = 0.05

// Lateness is how late the generator started operations over a whole run,
// against the latencies it measured: the strategies that fell behind (see
// FellBehind), how many of their operations started late, the worst
// schedule lag among them, and the smallest median latency it compares
// with (the delivery latency of a queued strategy, not its ack).
type Lateness struct {
	Strategies       []string
	Late, Operations uint64
	LagP99, LagMax   float64 // ms
	P50              float64 // ms
	// Worst is the second with the most late starts, of WorstOf.
	Worst   Window
	WorstOf string
}

// RunLateness sums up the generator's lateness over the strategies of a
// run; false when none fell behind.
func RunLateness(ss []StrategyResult) (Lateness, bool) {
	var l Lateness
	for _, s := range ss {
		if !FellBehind(s.LateStarts, s.Operations) {
			continue
		}
		l.Strategies = append(l.Strategies, s.Name)
		l.Late += s.LateStarts
		l.Operations += s.Operations
		for _, w := range s.Windows {
			if w.LateStarts > l.Worst.LateStarts {
				l.Worst, l.WorstOf = w, s.Name
			}
		}
		l.LagP99 = max(l.LagP99, s.ScheduleLag.P99)
		l.LagMax = max(l.LagMax, s.ScheduleLag.Max)
		p := s.Latency.P50
		if s.Queue != nil {
			// The ack is not what a queued strategy is judged by: its
			// deliveries, which the same late start delays, are.
			p = s.Queue.DeliveryLatency.P50
		}
		if p > 0 && (l.P50 == 0 || p < l.P50) {
			l.P50 = p
		}
	}
	return l, len(l.Strategies) > 0
}

// Share is the p99 schedule lag over the median latency: what the
// lateness could have added to a typical operation, relatively.
func (l Lateness) Share() float64 {
	if l.P50 <= 0 {
		return 1
	}
	return l.LagP99 / l.P50
}

// Material reports whether the lateness is large enough, against the
// latencies measured, to change the figures.
func (l Lateness) Material() bool { return l.Share() > MaterialLateness }

// String is the run's one line about its generator.
func (l Lateness) String() string {
	head := fmt.Sprintf("the generator started %d of %d operations (%.1f%%) more than %g ms late (%s), up to %.1f ms, p99 %.1f ms",
		l.Late, l.Operations, float64(l.Late)*100/float64(max(l.Operations, 1)), float64(LateStart)/1e6, strings.Join(l.Strategies, ", "), l.LagMax, l.LagP99)
	if l.Worst.LateStarts > 0 {
		head += fmt.Sprintf(", most in second %d of %s (%d of %d)", l.Worst.AtS, l.WorstOf, l.Worst.LateStarts, l.Worst.Started)
	}
	if !l.Material() {
		return fmt.Sprintf("%s: under %s of the p50 latency (%.1f ms), too little to change the figures", head, shareText(l.Share()), l.P50)
	}
	return fmt.Sprintf("%s: %.0f%% of the p50 latency (%.1f ms); figures are not trustworthy: run on a quieter machine or at a lower rate",
		head, l.Share()*100, l.P50)
}

// shareText writes a share as a whole percentage rounded up, so that
// "under 2%" is true, and "under 5%" at the bound itself.
func shareText(x float64) string {
	p := math.Ceil(x * 100)
	if p == x*100 && x > 0 && p < MaterialLateness*100 {
		p++
	}
	return fmt.Sprintf("%.0f%%", max(p, 1))
}
