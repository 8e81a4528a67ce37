package reports_test

import (
	"encoding/json"
	"os"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/reports"
)

func ExampleCSV() {
	res := &metrics.Result{
		Schema:   metrics.Schema,
		Scenario: json.RawMessage(`{"name":"seed"}`),
		Strategies: []metrics.StrategyResult{{
			Name: "fanout", Operations: 100, Throughput: 50, Outcomes: metrics.Outcomes{OK: 100},
			Latency:   metrics.Summary{P50: 300.5, P90: 301, P95: 301, P99: 302, P999: 302, Max: 302, Mean: 300.6},
			Upstreams: []metrics.UpstreamResult{{Name: "audit", Calls: 100, Attempts: 100, Statuses: map[string]uint64{"200": 100}}},
		}},
	}
	_ = reports.CSV(os.Stdout, res)
	// Output:
	// kind,strategy,upstream,operations,throughput_ops_per_s,p50_ms,p90_ms,p95_ms,p99_ms,p999_ms,max_ms,mean_ms,errors_pct,partial_pct,ok,partial,failed,dropped,speedup_vs_sequential_x,harness_overhead_p99_ms,cpu_ms_per_1000_ops,requests_per_call_x,calls,attempts,retries,responses_429,breaker_refusals,statuses,verdict
	// strategy,fanout,,100,50,300.5,301,301,302,302,302,300.6,0,0,100,0,0,0,,,,,,,,,,,winner
	// upstream,fanout,audit,,,0,0,0,0,0,0,0,,,,,,,,,,,100,100,0,0,0,200:100,
}
