package reports

import (
	"math"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

// The verdict and the baseline comparison judge an async strategy alike:
// Judge's delivery figures are those metrics.DeliveryOf records per
// repeat.
func TestJudgeAgreesWithDeliveryOf(t *testing.T) {
	t.Parallel()
	for _, c := range verdictCases() {
		for _, s := range c.res.Strategies {
			j, d := Judge(s), metrics.DeliveryOf(s)
			if j.Async != (d != nil) {
				t.Errorf("%s/%s: Judge async %v, DeliveryOf %v", c.name, s.Name, j.Async, d)
				continue
			}
			if d == nil {
				continue
			}
			if j.P50 != d.Latency.P50 || j.P99 != d.Latency.P99 || math.Abs(j.ErrorRate-d.ErrorRate) > 1e-12 ||
				math.Abs(j.PartialRate-d.PartialRate) > 1e-12 {
				t.Errorf("%s/%s: Judge %+v, DeliveryOf %+v", c.name, s.Name, j, *d)
			}
		}
	}
}

func TestLevel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"p50 45.5 vs 45.5", LevelP50(Judged{P50: 45.5}, Judged{P50: 45.5}), true},
		{"p50 300 vs 302", LevelP50(Judged{P50: 300}, Judged{P50: 302}), true},
		{"p50 300 vs 500", LevelP50(Judged{P50: 300}, Judged{P50: 500}), false},
		{"p99 303 vs 290", LevelP99(Judged{P99: 303}, Judged{P99: 290}), true},
		{"errors 0.1% vs 0.5%", LevelErrorRate(0.001, 0.005), true},
		{"errors 0% vs 20%", LevelErrorRate(0, 0.2), false},
		{"requests 2 vs 2.04", LevelRequests(2, 2.04), true},
		{"requests 2 vs 2.4", LevelRequests(2, 2.4), false},
		{"CPU 900 vs 1100", LevelCPU(900, 1100), true},
		{"throughput 45.5 vs 45.5 at 5%", LevelRelative(45.5, 45.5, 0.05), true},
		{"throughput 45 vs 60 at 5%", LevelRelative(45, 60, 0.05), false},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: level %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}
