package metrics

import "math"

// WidthSweep is a strategy's run at each fan-out width of load.widths:
// the latency against the width, beside what the single leaf's measured
// latency predicts.
type WidthSweep struct {
	// Upstream is the upstream of the repeated call, the leaf.
	Upstream string      `json:"upstream"`
	Steps    []WidthStep `json:"steps"`
	// DetailsAt is the width whose full figures fill the rest of the
	// strategy's result: the widest.
	DetailsAt int `json:"details_at"`
}

// WidthStep is one width of a width sweep.
type WidthStep struct {
	Width      int     `json:"width"`
	Operations uint64  `json:"operations"`
	Throughput float64 `json:"throughput"`
	// P50, P99 and P999 are the operation latency's, in milliseconds.
	P50       float64 `json:"p50_ms"`
	P99       float64 `json:"p99_ms"`
	P999      float64 `json:"p999_ms"`
	ErrorRate float64 `json:"error_rate"`
	// RequestsPerOp is the upstream requests per operation (hedges and
	// retries included); GivenUpCalls the calls given up (wait_for).
	RequestsPerOp float64 `json:"requests_per_op"`
	GivenUpCalls  uint64  `json:"given_up_calls,omitempty"`
	// Predicted is what the leaf's latency, measured at the narrowest
	// width, predicts for an operation that waits for Waits of the Width
	// calls, were the leaves independent: the order statistic. Absent for
	// a strategy that does not simply wait for calls (sequential sums
	// them; hedged sends more).
	Predicted *Predicted `json:"predicted,omitempty"`
}

// Predicted is a predicted latency, in milliseconds.
type Predicted struct {
	Waits int `json:"waits"`
	// LeafSamples is how many leaf latencies the prediction is from; a
	// quantile is 0 when too few of them reach that far into the leaf's
	// tail (PredictOrder).
	LeafSamples uint64  `json:"leaf_samples"`
	P50         float64 `json:"p50_ms"`
	P99         float64 `json:"p99_ms"`
	P999        float64 `json:"p999_ms"`
}

// PredictOrder returns the latency, in milliseconds, below which a share q
// of operations end when each makes n calls with independent latencies
// distributed as leaf and waits for the k-th fastest: the q-quantile of
// the k-th order statistic. P(X_(k) ≤ x) is the chance that k or more of n
// calls ended by x, a binomial tail in F(x); bisection finds the F for q,
// and leaf's quantile at F is the answer. k = n is the slowest call (the
// q^(1/n) quantile of the leaf).
//
// It is 0, no prediction, when fewer than MinTailSamples of the leaf's
// samples lie beyond F: the answer would be read past the slowest leaf
// the run saw, and a rare slow leaf a short run never met would go
// unpredicted (the p99 of 100 calls reads the leaf's 99.99th percentile,
// which 100 samples cannot place).
func PredictOrder(leaf *Histogram, n, k int, q float64) float64 {
	if leaf == nil || leaf.Count() == 0 || n < 1 || k < 1 || k > n {
		return 0
	}
	lo, hi := 0.0, 1.0
	for range 100 {
		mid := (lo + hi) / 2
		if binomialTail(n, k, mid) < q {
			lo = mid
		} else {
			hi = mid
		}
	}
	if float64(leaf.Count())*(1-hi) < MinTailSamples-1e-6 { // rounding: the p99 of 100 samples has exactly one beyond it
		return 0
	}
	return ms(leaf.Quantile(math.Min(hi*100, 100)))
}

// MinTailSamples is how many of the leaf's samples PredictOrder wants
// beyond the quantile it reads: one, so that it never reads past the
// data. More would be safer and leave short runs with no prediction.
const MinTailSamples = 1

// binomialTail is P(Binomial(n, p) ≥ k), summed in log space.
func binomialTail(n, k int, p float64) float64 {
	switch {
	case p <= 0:
		return 0
	case p >= 1:
		return 1
	}
	lp, lq := math.Log(p), math.Log1p(-p)
	lgN, _ := math.Lgamma(float64(n + 1))
	sum := 0.0
	for j := k; j <= n; j++ {
		lgJ, _ := math.Lgamma(float64(j + 1))
		lgNJ, _ := math.Lgamma(float64(n - j + 1))
		sum += math.Exp(lgN - lgJ - lgNJ + float64(j)*lp + float64(n-j)*lq)
	}
	return math.Min(sum, 1)
}
