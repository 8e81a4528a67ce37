package compare_test

import (
	"encoding/json"
	"fmt"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/reports/compare"
)

// Five repeats a side of one strategy whose p99 went from about 300 ms to
// about 354 ms: significant (the samples do not overlap, p = 0.008) and
// beyond the 10% tolerance of p99.
func ExampleCompare() {
	side := func(p99 float64) *metrics.Result {
		var reps []metrics.Repeat
		for k := range 5 {
			v := p99 + float64(k)
			reps = append(reps, metrics.Repeat{Seed: 42, Operations: 1000, Throughput: 100,
				Latency: metrics.Summary{P50: 100 + float64(k), P90: 200, P99: v, P999: 500}})
		}
		return &metrics.Result{Schema: metrics.Schema, Scenario: json.RawMessage(`{"name":"checkout","seed":42}`),
			Strategies: []metrics.StrategyResult{{Name: "fanout", Repeats: reps}}}
	}
	c, err := compare.Compare([]*metrics.Result{side(300)}, []*metrics.Result{side(354)}, compare.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(compare.Headline(c))
	fmt.Println("regressed:", c.Regressed)
	// Output:
	// p99 of fanout is 18% worse (significant, p = 0.008)
	// regressed: true
}
