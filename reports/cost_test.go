package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

func TestCostTable(t *testing.T) {
	t.Parallel()
	r := &metrics.Result{Schema: metrics.Schema, Strategies: []metrics.StrategyResult{
		{Name: "sequential"},
		{Name: "fanout", Cost: &metrics.Cost{CPUMsPer1000Ops: 412.5, PeakGoroutines: 73, PeakHeapBytes: 12 << 20,
			GCPauseP99MS: 0.25, PeakOpenConns: 9, IncludesMocks: true},
			TailAmplification: &metrics.TailAmplification{CallsPerOperation: 5, Measured: 0.051,
				Predicted: metrics.PredictedTail(5), PredictedFromCalls: 0.052}},
	}}
	var buf bytes.Buffer
	if err := Table(&buf, r, TableOptions{Wide: true}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"goroutines", "412.5", "73", "12.0", "0.25", "9",
		"5.1 / 4.9 (5 calls; 5.2 from calls)", "in-process mock upstreams included"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, &buf)
		}
	}
	buf.Reset()
	r.Strategies = r.Strategies[:1]
	if err := Table(&buf, r, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "goroutines") {
		t.Errorf("a result without cost shows a cost table:\n%s", &buf)
	}
}
