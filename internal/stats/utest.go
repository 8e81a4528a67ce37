package stats

import (
	"slices"

	"golang.org/x/perf/benchmath"
)

// UTestP is the two-sided p-value of a Mann-Whitney U test of x against y:
// benchstat's test (golang.org/x/perf/benchmath, AssumeNothing), exact for
// small samples with or without ties, a normal approximation past 50 values
// (25 with ties). Samples whose values are all equal give 1: nothing to
// tell apart.
func UTestP(x, y []float64, alpha float64) float64 {
	if len(x) == 0 || len(y) == 0 {
		return 1
	}
	th := benchmath.Thresholds{CompareAlpha: alpha}
	// NewSample sorts its values in place: give it copies.
	c := benchmath.AssumeNothing.Compare(benchmath.NewSample(slices.Clone(x), &th), benchmath.NewSample(slices.Clone(y), &th))
	return c.P
}

// MinP is the smallest two-sided p-value a U test of n1 against n2 values
// can give: 2 / C(n1+n2, n1), both samples entirely apart and no ties.
func MinP(n1, n2 int) float64 {
	if n1 == 0 || n2 == 0 {
		return 1
	}
	// C(n1+n2, n1) multiplied out: exact in float64 while small, +Inf
	// (a bound of 0) past what any sample needs.
	k := min(n1, n2)
	c := 1.0
	for i := 1; i <= k; i++ {
		c = c * float64(n1+n2-k+i) / float64(i)
	}
	return min(1, 2/c)
}

// SamplesNeeded is the fewest values a side for which a U test can reach
// p < alpha at all (4 at α = 0.05: 2/C(8,4) = 0.029, where 3 a side give
// 0.1 at best).
func SamplesNeeded(alpha float64) int {
	n := 1
	for MinP(n, n) >= alpha && n < 1000 {
		n++
	}
	return n
}
