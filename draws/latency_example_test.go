package draws_test

import (
	"fmt"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/units"
)

func msd(n float64) units.Duration { return units.Duration(n * float64(time.Millisecond)) }

// A percentile table, as engineers know their upstreams: the configured
// points come back exactly; between them the delay follows the lognormal
// through the two neighbours; below p50 it falls linearly to min (by
// default half of p50); above p99.9 it follows a Pareto tail, capped at 10×
// the highest point.
func ExampleLatency_Quantile() {
	profile := draws.Latency{P50: msd(40), P90: msd(120), P99: msd(300), P999: msd(1000)}
	for _, q := range []float64{0, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 0.9999} {
		d, err := profile.Quantile(q)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("p%g %v\n", q*100, d.Round(time.Millisecond))
	}
	// Output:
	// p0 20ms
	// p25 30ms
	// p50 40ms
	// p90 120ms
	// p95 165ms
	// p99 300ms
	// p99.9 1s
	// p99.99 3.333s
}

// A mixture: 95% of answers are fast, 5% slow. The runner reads the
// upstream's p99 off the Latency before sending anything.
func ExampleLatency_Quantile_mixture() {
	lat := draws.Latency{Dist: draws.DistMixture, Components: []draws.Component{
		{Weight: 0.95, Latency: draws.Latency{Dist: draws.DistLognormal, P50: msd(20), P99: msd(60)}},
		{Weight: 0.05, Latency: draws.Latency{Dist: draws.DistUniform, Min: msd(1000), Max: msd(2000)}},
	}}
	for _, q := range []float64{0.5, 0.9, 0.99} {
		d, err := lat.Quantile(q)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("p%g %v\n", q*100, d.Round(time.Millisecond))
	}
	_, err := draws.Latency{Dist: draws.DistNormal, Mean: msd(50)}.Quantile(0.99)
	fmt.Println(err)
	// Output:
	// p50 21ms
	// p90 43ms
	// p99 1.8s
	// latency.stddev: stddev is required for dist: normal, such as stddev: 20ms
}
