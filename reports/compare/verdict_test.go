package compare

import (
	"math"
	"testing"
)

func mustMetric(t *testing.T, key string) metric {
	t.Helper()
	m, ok := metricByKey(key)
	if !ok {
		t.Fatalf("no metric %q", key)
	}
	return m
}

// TestJudge checks the verdict logic on hand-made cases: a change counts
// only when significant and beyond its tolerance, and is a regression
// only the worse way, which depends on the metric.
func TestJudge(t *testing.T) {
	t.Parallel()
	pct := func(v float64) Tolerance { return Tolerance{Value: v} }
	pp := func(v float64) Tolerance { return Tolerance{Value: v, Points: true} }
	tests := []struct {
		name       string
		metric     string
		tol        Tolerance
		base, cur  float64
		p          float64
		tested     bool
		wantChange float64
		want       Verdict
		wantSig    bool
	}{
		{"p99 18% worse, significant", "p99", pct(10), 300, 354, 0.008, true, 18, Worse, true},
		{"p99 18% worse, not significant", "p99", pct(10), 300, 354, 0.2, true, 18, Same, false},
		{"p99 18% worse, p exactly alpha", "p99", pct(10), 300, 354, 0.05, true, 18, Same, false},
		{"p99 5% worse, significant, within tolerance", "p99", pct(10), 300, 315, 0.008, true, 5, Same, true},
		{"p99 exactly at the tolerance", "p99", pct(10), 300, 330, 0.008, true, 10, Same, true},
		{"p99 18% better, significant", "p99", pct(10), 354, 300, 0.008, true, -15.254237288135593, Better, true},
		{"p50 significant but not tested", "p50", pct(5), 100, 200, 0, false, 100, Same, false},
		{"zero tolerance, any significant change counts", "p50", pct(0), 100, 100.1, 0.01, true, 0.1, Worse, true},
		{"no change at all", "p50", pct(0), 100, 100, 0.01, true, 0, Same, true},
		{"throughput lower is worse", "throughput", pct(5), 500, 450, 0.001, true, -10, Worse, true},
		{"throughput higher is better", "throughput", pct(5), 450, 500, 0.001, true, 11.11111111111111, Better, true},
		{"error rate up 1 pp", "error_rate", pp(0.5), 0.4, 1.4, 0.008, true, 1, Worse, true},
		{"error rate up 0.3 pp, within", "error_rate", pp(0.5), 0.4, 0.7, 0.008, true, 0.30000000000000004, Same, true},
		{"partial rate down 2 pp", "partial_rate", pp(0.5), 3, 1, 0.008, true, -2, Better, true},
		{"overhead from 0", "harness_overhead_p99", pct(50), 0, 2, 0.008, true, math.Inf(1), Worse, true},
		{"cpu 30% more, significant", "cpu_per_1000_ops", pct(25), 100, 130, 0.03, true, 30, Worse, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			j := judge(mustMetric(t, tt.metric), tt.tol, tt.base, tt.cur, tt.p, tt.tested, DefaultAlpha)
			if j.verdict != tt.want || j.significant != tt.wantSig || math.Abs(j.change-tt.wantChange) > 1e-9 && !math.IsInf(tt.wantChange, 0) {
				t.Errorf("judge(%s, ±%s, %v → %v, p %v, tested %v) = change %v, significant %v, verdict %q; want %v, %v, %q",
					tt.metric, tt.tol, tt.base, tt.cur, tt.p, tt.tested, j.change, j.significant, j.verdict, tt.wantChange, tt.wantSig, tt.want)
			}
			if math.IsInf(tt.wantChange, 0) && j.change != tt.wantChange {
				t.Errorf("change = %v, want %v", j.change, tt.wantChange)
			}
			if j.regression != (tt.want == Worse) {
				t.Errorf("regression = %v with verdict %q", j.regression, j.verdict)
			}
		})
	}
}
