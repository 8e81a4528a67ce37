package reports

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/fanbench/fanbench/internal/stats"
	"github.com/fanbench/fanbench/metrics"
)

// Verdict is a run's answer, in sentences: which strategy wins, by how
// much, and at what cost. Every output opens with it. Its Winner is ""
// when none is crowned: a tie for the lead, a fastest strategy that fails
// more often, or every strategy with a concern.
type Verdict = metrics.Verdict

// Decide weighs the strategies of r. Latency is compared at p50 and p99
// against the baseline (sequential, or the first strategy measured);
// differences within noise are ties: by a Mann-Whitney U test over the
// rounds when the load was repeated, within the baseline comparison's
// default tolerances when it was not. A strategy that answered its caller
// before the work was done is judged by its delivery. A strategy with a
// concern about the system under test (see Concerns) is never crowned, nor
// is a fastest strategy whose error rate is worse than another's; and none
// is when the generator's lateness was material (metrics.RunLateness).
// An asynchronous call (202, then a callback or a poll) counts until its
// completion, which the operation latency already runs to: its 202 is
// never what is judged.
func Decide(r *metrics.Result) Verdict {
	var js []Judged
	for _, s := range r.Strategies {
		js = append(js, judge(s))
	}
	concerned := map[string]bool{}
	v := Verdict{Basis: basis(js)}
	if HasAsync(r) {
		v.Basis += "; " + completionBasis
	}
	for _, c := range Concerns(r) {
		concerned[c.Strategy] = true
		v.Concerns = append(v.Concerns, c.String())
	}
	base, ok := baseOf(r, js)
	if !ok {
		v.Lines = []string{"No verdict: no strategy measured an operation."}
		return v
	}
	var eligible []Judged
	for _, j := range js {
		if j.Measured && !concerned[j.Name] {
			eligible = append(eligible, j)
		}
	}
	v.Winner, v.Tied, v.Lines = headline(eligible, base, js)
	if l, fell := metrics.RunLateness(r.Strategies); fell && l.Material() {
		// The harness, not the strategies, may have made the difference.
		v.Winner, v.Tied = "", nil
		v.Lines[0] = "No verdict to trust: the generator fell behind by more than the figures can bear (see the warnings). As measured: " + v.Lines[0]
	}
	for _, j := range js {
		if j.Name == base.Name || j.Name == v.Winner {
			continue
		}
		switch {
		case !j.Measured:
			v.Lines = append(v.Lines, j.Name+" measured no operation: not judged.")
		case concerned[j.Name]:
			v.Lines = append(v.Lines, compareLine(j, base)+"; not crowned: the system under test was in trouble (see its concerns).")
		default:
			v.Lines = append(v.Lines, compareLine(j, base)+".")
		}
	}
	return v
}

// baseOf picks the strategy the others are compared with: the baseline
// the speed-up divides by, or else the first strategy measured.
func baseOf(r *metrics.Result, js []Judged) (Judged, bool) {
	if b, ok := baseline(r); ok {
		if i := slices.IndexFunc(js, func(j Judged) bool { return j.Name == b.Name }); i >= 0 && js[i].Measured {
			return js[i], true
		}
	}
	i := slices.IndexFunc(js, func(j Judged) bool { return j.Measured })
	if i < 0 {
		return Judged{}, false
	}
	return js[i], true
}

// headline crowns the fastest eligible strategy at p50, unless another
// ties with it or fails less often, and says why.
func headline(eligible []Judged, base Judged, all []Judged) (winner string, tied, lines []string) {
	if len(eligible) == 0 {
		return "", nil, []string{"No strategy is crowned: the system under test was in trouble under every one (see the concerns)."}
	}
	byP50 := slices.Clone(eligible)
	slices.SortStableFunc(byP50, func(a, b Judged) int { return cmpFloat(a.P50, b.P50) })
	// The lead and those level with it at p50; of those, the ones that do
	// not fail more often than the best of them.
	group := []Judged{byP50[0]}
	for _, j := range byP50[1:] {
		if sameP50(j, byP50[0]) {
			group = append(group, j)
		}
	}
	bestErr := slices.MinFunc(group, func(a, b Judged) int { return cmpFloat(a.ErrorRate, b.ErrorRate) }).ErrorRate
	var contenders []Judged
	for _, j := range group {
		if j.ErrorRate <= bestErr+tieRate {
			contenders = append(contenders, j)
		}
	}
	if len(contenders) > 1 {
		names := make([]string, len(contenders))
		for i, j := range contenders {
			names[i] = j.Name
		}
		return "", names, []string{fmt.Sprintf("No clear winner: %s tie for the lead at p50 (%s ms).", andList(names), p50List(contenders))}
	}
	lead := contenders[0]
	for _, j := range eligible {
		if j.ErrorRate+tieRate < lead.ErrorRate {
			return "", nil, []string{fmt.Sprintf("No clear winner: %s is fastest at p50 (%s ms) but fails %s of operations, against %s for %s.",
				lead.Name, ms(lead.P50), pct100(lead.ErrorRate), pct100(j.ErrorRate), j.Name)}
		}
	}
	if len(all) == 1 {
		return lead.Name, nil, []string{fmt.Sprintf("%s is the only strategy: p50 %s ms, p99 %s ms.", lead.Name, ms(lead.P50), ms(lead.P99))}
	}
	if lead.Name == base.Name {
		return lead.Name, nil, []string{fmt.Sprintf("%s wins: no other strategy is faster at p50 (%s ms).", lead.Name, ms(lead.P50))}
	}
	return lead.Name, nil, []string{fmt.Sprintf("%s wins: %s.", lead.Name, strings.TrimPrefix(compareLine(lead, base), lead.Name+" is "))}
}

// compareLine compares j with the baseline b: latency at p50 and p99, then
// the cost.
func compareLine(j, b Judged) string {
	verb := "is"
	if j.Async {
		verb = "delivers"
	}
	var s strings.Builder
	fmt.Fprintf(&s, "%s %s", j.Name, latencyClause(j, b, verb))
	if j.Async {
		fmt.Fprintf(&s, " (its caller waits %s ms for the ack)", ms(j.CallerP50))
	}
	s.WriteString(costClause(j, b))
	return s.String()
}

// latencyClause: "1.67× faster than sequential at p50 (300.0 vs 500.0 ms)
// and 1.66× at p99", or a tie, or slower.
func latencyClause(j, b Judged, verb string) string {
	p50 := fmt.Sprintf("at p50 (%s vs %s ms)", ms(j.P50), ms(b.P50))
	var head string
	switch {
	case sameP50(j, b):
		head = fmt.Sprintf("level with %s %s", b.Name, p50)
	case j.P50 < b.P50:
		head = fmt.Sprintf("%s faster than %s %s", ratioText(b.P50, j.P50), b.Name, p50)
	default:
		head = fmt.Sprintf("%s slower than %s %s", ratioText(j.P50, b.P50), b.Name, p50)
	}
	p99 := fmt.Sprintf("at p99 (%s vs %s ms)", ms(j.P99), ms(b.P99))
	var tail string
	fasterP50, slowerP50 := !sameP50(j, b) && j.P50 < b.P50, !sameP50(j, b) && j.P50 > b.P50
	switch {
	case sameP99(j, b) && sameP50(j, b):
		tail = "and at p99"
	case sameP99(j, b):
		tail = "and level " + p99
	case j.P99 < b.P99 && fasterP50:
		tail = fmt.Sprintf("and %s at p99", ratioText(b.P99, j.P99))
	case j.P99 < b.P99:
		tail = fmt.Sprintf("but %s faster %s", ratioText(b.P99, j.P99), p99)
	case slowerP50:
		tail = fmt.Sprintf("and %s at p99", ratioText(j.P99, b.P99))
	default:
		tail = fmt.Sprintf("but %s slower %s", ratioText(j.P99, b.P99), p99)
	}
	return verb + " " + head + " " + tail
}

// costClause says how j's cost differs from b's: error rate, partial rate,
// requests per operation, CPU; the same when within tolerance.
func costClause(j, b Judged) string {
	var diffs []string
	if math.Abs(j.ErrorRate-b.ErrorRate) > tieRate {
		diffs = append(diffs, fmt.Sprintf("errors %s vs %s", pct100(j.ErrorRate), pct100(b.ErrorRate)))
	}
	if math.Abs(j.PartialRate-b.PartialRate) > tieRate {
		diffs = append(diffs, fmt.Sprintf("partial %s vs %s", pct100(j.PartialRate), pct100(b.PartialRate)))
	}
	if !sameRel(j.RequestsPerOp, b.RequestsPerOp, tieRequests) {
		diffs = append(diffs, fmt.Sprintf("%s vs %s requests per operation", f2(j.RequestsPerOp), f2(b.RequestsPerOp)))
	}
	if j.HasCPU && b.HasCPU && !sameRel(j.CPUPer1000, b.CPUPer1000, tieCPU) {
		diffs = append(diffs, fmt.Sprintf("CPU %s vs %s ms per 1,000 operations", f1(j.CPUPer1000), f1(b.CPUPer1000)))
	}
	if len(diffs) == 0 {
		return ", with the same error rate and requests per operation"
	}
	return "; " + strings.Join(diffs, ", ")
}

// sameP50 and sameP99 tell a difference from noise: over the rounds when
// both sides have enough of them for a U test to reach significance, else
// within the tolerance.
func sameP50(a, b Judged) bool { return same(a.RoundsP50, b.RoundsP50, a.P50, b.P50, tieP50) }
func sameP99(a, b Judged) bool { return same(a.RoundsP99, b.RoundsP99, a.P99, b.P99, tieP99) }

func same(ra, rb []float64, a, b, tol float64) bool {
	if significanceTestable(ra, rb) {
		return stats.UTestP(ra, rb, tieAlpha) >= tieAlpha
	}
	return sameRel(a, b, tol)
}

func significanceTestable(ra, rb []float64) bool {
	return stats.MinP(len(ra), len(rb)) < tieAlpha
}

// completionBasis says, for a run with asynchronous calls, which latency
// the verdict judged.
const completionBasis = "latency to completion: an asynchronous call counts until its callback or its poll said done, not until its 202"

// basis says how the verdict told differences from noise.
func basis(js []Judged) string {
	for _, a := range js {
		for _, b := range js {
			if a.Name != b.Name && significanceTestable(a.RoundsP50, b.RoundsP50) {
				return fmt.Sprintf("ties: no significant difference over %d repeats (Mann-Whitney U, α %g)",
					min(len(a.RoundsP50), len(b.RoundsP50)), tieAlpha)
			}
		}
	}
	return fmt.Sprintf("ties: within ±%.0f%% at p50, ±%.0f%% at p99, ±%.1f points of errors; load.repeats tests significance instead",
		tieP50*100, tieP99*100, tieRate*100)
}

// ratioText is how many times larger hi is than lo: "1.67×".
func ratioText(hi, lo float64) string {
	if lo <= 0 {
		return "∞×"
	}
	return f2(hi/lo) + "×"
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// andList joins names as "a, b and c".
func andList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func p50List(js []Judged) string {
	out := make([]string, len(js))
	for i, j := range js {
		out[i] = ms(j.P50)
	}
	return strings.Join(out, " vs ")
}

// standing is a strategy's place in the verdict, in a few words: "winner",
// "tied for the lead", "not crowned: concern" (see Concerns), or "".
func standing(v Verdict, name string) string {
	switch {
	case name == v.Winner:
		return "winner"
	case slices.Contains(v.Tied, name):
		return "tied for the lead"
	case slices.ContainsFunc(v.Concerns, func(c string) bool { return strings.HasPrefix(c, name+": ") }):
		return "not crowned: concern"
	}
	return ""
}
