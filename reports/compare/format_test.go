package compare

import (
	"math"
	"testing"
)

func TestHeadline(t *testing.T) {
	t.Parallel()
	p := 0.008
	ch := func(v float64) *float64 { return &v }
	worse := func(key string, change float64) MetricComparison {
		return MetricComparison{Metric: key, Change: ch(change), ChangeUnit: "%", P: &p, Verdict: Worse, Regression: true, Significant: true}
	}
	better := MetricComparison{Metric: "error_rate", Change: ch(-1.5), ChangeUnit: "pp", P: &p, Verdict: Better, Significant: true}
	same := MetricComparison{Metric: "p50", Change: ch(0.4), ChangeUnit: "%", P: &p, Verdict: Same}
	tests := []struct {
		name    string
		metrics []MetricComparison
		want    string
	}{
		{"nothing", []MetricComparison{same}, "no significant change"},
		{"one regression", []MetricComparison{same, worse("p99", 18.2)}, "p99 of fanout is 18% worse (significant, p = 0.008)"},
		{"small regression", []MetricComparison{worse("p50", 5.46)}, "p50 of fanout is 5.5% worse (significant, p = 0.008)"},
		{"improvement only", []MetricComparison{better}, "no regression; error rate of fanout is 1.50 pp better (significant, p = 0.008)"},
		{"regression and improvement", []MetricComparison{better, worse("throughput", -12)}, "throughput of fanout is 12% worse (significant, p = 0.008)"},
		{"from zero", []MetricComparison{{Metric: "harness_overhead_p99", ChangeUnit: "%", P: &p, Verdict: Worse, Regression: true}},
			"harness overhead p99 of fanout is infinitely worse (significant, p = 0.008)"},
		{"many", []MetricComparison{worse("p50", 20), worse("p90", 21), worse("p99", 22), worse("p99.9", 23), worse("throughput", -30)},
			"5 regressions: p50 of fanout is 20% worse (significant, p = 0.008); p90 of fanout is 21% worse (significant, p = 0.008); p99 of fanout is 22% worse (significant, p = 0.008); and 2 more"},
	}
	for _, tt := range tests {
		c := &Comparison{Strategies: []StrategyComparison{{Name: "fanout", Metrics: tt.metrics}}}
		if got := Headline(c); got != tt.want {
			t.Errorf("%s: Headline = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestCellFormats(t *testing.T) {
	t.Parallel()
	tests := []struct{ got, want string }{
		{value(0.04, "ms"), "0.040 ms"},
		{value(502.04, "ms"), "502.0 ms"},
		{value(0.4, "%"), "0.40%"},
		{value(99.96, "ops/s"), "100.0 ops/s"},
		{PValue(nil), "–"},
		{PValue(new(0.0004)), "<0.001"},
		{PValue(new(0.0286)), "0.029"},
		{changeText(MetricComparison{ChangeUnit: "%", Change: new(math.Copysign(0, -1))}), "+0.0%"},
		{changeText(MetricComparison{ChangeUnit: "pp", Change: new(-1.234)}), "-1.23 pp"},
		{changeText(MetricComparison{ChangeUnit: "%"}), "+∞%"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
