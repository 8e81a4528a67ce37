package reports

import (
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

// The thresholds table shows each verdict with the value in its unit,
// failed ones marked, and a verdict line that notes an interrupted run.
func TestThresholdTable(t *testing.T) {
	t.Parallel()
	val := func(v float64) *float64 { return &v }
	r := &metrics.Result{Interrupted: true, Thresholds: []metrics.ThresholdResult{
		{Strategy: "fanout", Threshold: "p99 < 350ms", Value: val(412.34), Unit: "ms", Pass: false},
		{Strategy: "fanout", Threshold: "error_rate < 1%", Value: val(0.0025), Unit: "share", Pass: true},
		{Strategy: "fanout", Threshold: "throughput > 500/s", Value: val(512.3), Unit: "/s", Pass: true},
		{Strategy: "fanout", Threshold: "amplification <= 1.5", Value: val(1.234), Unit: "ratio", Pass: true},
		{Strategy: "queued", Threshold: "p99 < 350ms", Unit: "ms", Note: "no operation finished"},
	}}
	var b strings.Builder
	b.WriteString(thresholdTable(r, TableOptions{}).Render())
	b.WriteString("\n" + thresholdVerdict(r, TableOptions{}))
	got := b.String()
	for _, want := range []string{"412.3 ms", "FAIL", "0.25%", "512.3/s", "1.23×", "no operation finished",
		"thresholds: 2 of 5 FAILED (judged on what ran before the interruption)"} {
		if !strings.Contains(got, want) {
			t.Errorf("thresholds table lacks %q:\n%s", want, got)
		}
	}
	if thresholdTable(&metrics.Result{}, TableOptions{}) != nil {
		t.Error("thresholdTable without thresholds is not nil")
	}
}
