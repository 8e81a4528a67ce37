package metrics_test

import (
	"fmt"
	"time"

	"github.com/fanbench/fanbench/metrics"
)

// Two workers record into their own recorders; the merge is exact.
func ExampleRecorder_Merge() {
	layout := metrics.Layout{Upstreams: []string{"profile", "audit"}}
	a, b := metrics.NewRecorder(layout), metrics.NewRecorder(layout)
	for i := range 100 {
		d := time.Duration(i+1) * time.Millisecond
		if i%2 == 0 {
			a.RecordOperation(metrics.OutcomeOK, d, d, 0, 0)
		} else {
			b.RecordOperation(metrics.OutcomeOK, d, d, 0, 0)
		}
	}
	a.Merge(b)
	s := a.Latency.Summary()
	fmt.Printf("%d operations, p50 %.1f ms, p99 %.1f ms\n", s.Count, s.P50, s.P99)
	// Output:
	// 100 operations, p50 50.0 ms, p99 99.0 ms
}
