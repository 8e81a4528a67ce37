package compare

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/fanbench/fanbench/internal/stats"
	"github.com/fanbench/fanbench/metrics"
)

// compareStrategy compares one strategy's metrics. With one repeat a side
// it tests the per-second windows of the two runs; otherwise the repeats.
func compareStrategy(name string, b, c strategyRuns, tols Tolerances, alpha float64) StrategyComparison {
	sc := StrategyComparison{Name: name, Mode: ModeRepeats, JudgedBy: JudgedByOperation, BaselineRepeats: len(b.repeats), CurrentRepeats: len(c.repeats)}
	if len(b.repeats) == 1 && len(c.repeats) == 1 {
		sc.Mode = ModeWindows
	}
	async := b.async || c.async
	if async {
		sc.JudgedBy = JudgedByDelivery
	}
	bw, cw := steadyWindows(b.windows), steadyWindows(c.windows)
	for _, m := range allMetrics {
		byDelivery := async && m.ofDelivery != nil
		bv, cv := repeatValues(m, b.repeats), repeatValues(m, c.repeats)
		missing := false
		if byDelivery {
			var bok, cok bool
			bv, bok = deliveryValues(m, b.repeats)
			cv, cok = deliveryValues(m, c.repeats)
			missing = !bok || !cok
		}
		if m.optional && (allZero(bv) || allZero(cv)) {
			continue // absent on a side: nothing to compare
		}
		mc := MetricComparison{
			Metric: m.key, Unit: m.unit, Baseline: median(bv), Current: median(cv),
			ChangeUnit: "%", Tolerance: tols[m.key],
		}
		if m.rate {
			mc.ChangeUnit = "pp"
		}
		tested, note := true, ""
		xs, ys := bv, cv
		switch {
		case missing:
			tested, note = false, "not tested: a side holds no delivery figures per repeat (written by an older fanbench)"
		case sc.Mode == ModeWindows && byDelivery:
			tested, note = false, "not tested: the per-second values are of the ack, not of the delivery (use load.repeats)"
		case sc.Mode == ModeWindows:
			xs, ys = windowValues(m, bw), windowValues(m, cw)
			switch {
			case m.ofWindow == nil:
				tested, note = false, "not tested: no per-second values (use load.repeats)"
			case len(xs) == 0 || len(ys) == 0:
				tested, note = false, "not tested: a side has no per-second windows (use load.repeats)"
			}
		}
		var p float64
		if tested {
			mc.BaselineN, mc.CurrentN = len(xs), len(ys)
			p = stats.UTestP(xs, ys, alpha)
			mc.P = &p
			if stats.MinP(len(xs), len(ys)) >= alpha {
				note = fmt.Sprintf("too few samples: need %d %s a side", stats.SamplesNeeded(alpha), sampleWord(sc.Mode))
			}
		}
		j := judge(m, mc.Tolerance, mc.Baseline, mc.Current, p, tested, alpha)
		if !math.IsInf(j.change, 0) {
			mc.Change = &j.change
		}
		mc.Significant, mc.Verdict, mc.Regression = j.significant, j.verdict, j.regression
		if note == "" && j.significant && j.verdict == Same && j.change != 0 {
			note = "significant, within tolerance"
		}
		mc.Note = note
		sc.Metrics = append(sc.Metrics, mc)
	}
	return sc
}

func sampleWord(m Mode) string {
	if m == ModeWindows {
		return "windows (seconds of run)"
	}
	return "repeats"
}

// judgement is the verdict on one metric.
type judgement struct {
	// change is relative, in percent, or in percentage points for rates;
	// ±Inf when the baseline is 0 and the current value is not.
	change      float64
	significant bool
	verdict     Verdict
	regression  bool
}

// judge decides a metric's verdict: a change counts when it is
// significant (p < alpha) and larger than the tolerance; it is a
// regression when it counts and goes the worse way.
func judge(m metric, tol Tolerance, base, cur, p float64, tested bool, alpha float64) judgement {
	j := judgement{change: change(m, base, cur)}
	j.significant = tested && p < alpha
	j.verdict = Same
	if !j.significant || j.change == 0 || !(math.Abs(j.change) > tol.Value) {
		return j
	}
	worse := cur > base
	if m.higherIsBetter {
		worse = cur < base
	}
	if worse {
		j.verdict, j.regression = Worse, true
	} else {
		j.verdict = Better
	}
	return j
}

// change is cur against base: percentage points for rates (both already
// in percent), a relative change in percent otherwise.
func change(m metric, base, cur float64) float64 {
	if m.rate {
		return cur - base
	}
	if base == 0 {
		switch {
		case cur > 0:
			return math.Inf(1)
		case cur < 0:
			return math.Inf(-1)
		}
		return 0
	}
	return (cur - base) / math.Abs(base) * 100
}

func repeatValues(m metric, rs []metrics.Repeat) []float64 {
	vs := make([]float64, len(rs))
	for i, r := range rs {
		vs[i] = m.ofRepeat(r)
	}
	return vs
}

// deliveryValues takes the metric from what each repeat delivered; ok is
// false when a repeat holds no delivery (a file written before it was
// recorded), and the values are those of the repeats that do.
func deliveryValues(m metric, rs []metrics.Repeat) (vs []float64, ok bool) {
	ok = true
	for _, r := range rs {
		if r.Delivery == nil {
			ok = false
			continue
		}
		vs = append(vs, m.ofDelivery(*r.Delivery))
	}
	return vs, ok
}

func windowValues(m metric, ws []metrics.Window) []float64 {
	if m.ofWindow == nil {
		return nil
	}
	var vs []float64
	for _, w := range ws {
		if v, ok := m.ofWindow(w); ok {
			vs = append(vs, v)
		}
	}
	return vs
}

// steadyWindows drops the edges of a run: the windows before and including
// the first one operations were started in (the first second's
// completions lag its starts by a latency), and from the last one they
// were started in on (a part second, then the drain). What is left had the
// load all through.
func steadyWindows(ws []metrics.Window) []metrics.Window {
	first := slices.IndexFunc(ws, func(w metrics.Window) bool { return w.Started > 0 })
	last := -1
	for i := len(ws) - 1; i >= 0; i-- {
		if ws[i].Started > 0 {
			last = i
			break
		}
	}
	if first < 0 || last-first < 2 {
		return nil
	}
	return ws[first+1 : last]
}

func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(vs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func allZero(vs []float64) bool {
	for _, v := range vs {
		if v != 0 {
			return false
		}
	}
	return true
}

// sampleNotes says, once for the strategies alike, when there were too few
// samples for any change to be significant.
func sampleNotes(ss []StrategyComparison, alpha float64) []string {
	type key struct {
		mode Mode
		b, c int
	}
	var order []key
	names := map[key][]string{}
	for _, s := range ss {
		nb, nc := s.BaselineRepeats, s.CurrentRepeats
		if s.Mode == ModeWindows {
			nb, nc = testedN(s)
		}
		if stats.MinP(nb, nc) < alpha {
			continue
		}
		k := key{s.Mode, nb, nc}
		if _, seen := names[k]; !seen {
			order = append(order, k)
		}
		names[k] = append(names[k], s.Name)
	}
	var notes []string
	for _, k := range order {
		need := stats.SamplesNeeded(alpha)
		how := fmt.Sprintf("need %d repeats a side: set load.repeats: %d, or give %d result files a side", need, need, need)
		what := fmt.Sprintf("%d repeats in the baseline, %d in the current results", k.b, k.c)
		if k.mode == ModeWindows {
			what = fmt.Sprintf("one run a side, with %d and %d steady seconds", k.b, k.c)
			how = fmt.Sprintf("need %d steady seconds a side (a longer load.duration), or load.repeats: %d", need, need)
		}
		notes = append(notes, fmt.Sprintf("too few samples for %s: %s, so the smallest p possible is %.2g, not below α = %v; %s",
			strings.Join(names[k], ", "), what, stats.MinP(k.b, k.c), alpha, how))
	}
	return notes
}

// testedN is the fewest values a windows-mode strategy's metrics were
// tested over, a side.
func testedN(s StrategyComparison) (int, int) {
	nb, nc := -1, -1
	for _, m := range s.Metrics {
		if m.P == nil {
			continue
		}
		if nb < 0 || m.BaselineN < nb {
			nb = m.BaselineN
		}
		if nc < 0 || m.CurrentN < nc {
			nc = m.CurrentN
		}
	}
	return max(nb, 0), max(nc, 0)
}
