package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

func TestSweepTable(t *testing.T) {
	t.Parallel()
	r := &metrics.Result{Schema: metrics.Schema, Strategies: []metrics.StrategyResult{
		{Name: "fanout", Sweep: &metrics.SweepResult{SLO: "p99 < 100ms and error_rate < 1%", StepDurationS: 1, SustainedRate: 40, StoppedAt: 60, DetailsAt: 40,
			Steps: []metrics.SweepStep{
				{Rate: 20, Throughput: 20, P50: 22.4, P99: 26.3, Passed: true},
				{Rate: 40, Throughput: 39.5, P50: 22, P99: 35.5, Passed: true},
				{Rate: 60, Throughput: 50.1, P50: 170.1, P99: 253.2, Broke: "p99 253.2ms ≥ 100ms"},
			}}},
	}}
	var buf bytes.Buffer
	if err := Table(&buf, r, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"rate sweep, SLO p99 < 100ms and error_rate < 1%;", "39.5", "253.2", "broken: p99 253.2ms ≥ 100ms", "← sustained within the SLO"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, &buf)
		}
	}
	buf.Reset()
	r.Strategies[0].Sweep = nil
	if err := Table(&buf, r, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "rate sweep") {
		t.Errorf("a result without a sweep shows a sweep table:\n%s", &buf)
	}
}
