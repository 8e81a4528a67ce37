package reports

import (
	"encoding/json"
	"time"

	"github.com/fanbench/fanbench/metrics"
)

// verdictCase is a small run whose verdict is known: the strategies'
// headline figures, as a result file holds them.
type verdictCase struct {
	name string
	res  *metrics.Result
}

// strat builds a strategy's result at an offered 100 ops/s for 10 s:
// p50 and p99 in ms, an error rate, requests per operation.
func strat(name string, p50, p99, errRate, reqPerOp float64) metrics.StrategyResult {
	const ops = 1000
	s := metrics.StrategyResult{
		Name: name, Strategy: name, Operations: ops, Throughput: 99.5, ErrorRate: errRate, DurationS: 10.05,
		Outcomes:      metrics.Outcomes{OK: uint64(ops * (1 - errRate)), Failed: uint64(ops * errRate)},
		Latency:       metrics.Summary{Count: ops, P50: p50, P90: p50 * 1.1, P95: p50 * 1.15, P99: p99, P999: p99 * 1.1, Max: p99 * 1.2, Mean: p50},
		Amplification: metrics.Amplification{Requests: uint64(ops * reqPerOp), Minimum: uint64(ops * 2), Ratio: reqPerOp / 2},
		Upstreams: []metrics.UpstreamResult{{Name: "profile", Calls: ops, Attempts: ops, Statuses: map[string]uint64{"200": ops}},
			{Name: "audit", Calls: ops, Attempts: ops, Statuses: map[string]uint64{"200": ops}}},
	}
	for sec := range int64(11) {
		w := metrics.Window{AtS: sec, Started: 100, Completed: 100, P50: p50, P99: p99}
		if sec == 10 {
			w.Started = 0
		}
		s.Windows = append(s.Windows, w)
	}
	return s
}

func verdictResult(ss ...metrics.StrategyResult) *metrics.Result {
	return &metrics.Result{
		Schema:      metrics.Schema,
		Scenario:    json.RawMessage(`{"name":"verdict","load":{"model":"open","rate":"100/s","duration":"10s"}}`),
		Environment: metrics.Environment{FanbenchVersion: "test", GoVersion: "go1.26", OS: "linux", Arch: "amd64", CPUs: 2},
		StartedAt:   time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC),
		DurationS:   20.1,
		Strategies:  ss,
	}
}

// verdictCases are the runs every output format's golden pins the verdict
// of: a clear win, a tie, an async strategy whose acks are fast and whose
// deliveries fail, a saturated pool.
func verdictCases() []verdictCase {
	// Queued: acks in 0.07 ms, but a fifth of the deliveries fail.
	queued := strat("queued", 0.07, 0.2, 0, 2.4)
	queued.Queue = &metrics.QueueResult{Consumers: 16, Capacity: 100000, WhenFull: "block", Acked: 1000, Delivered: 2000,
		DeliveredOutcomes: metrics.Outcomes{OK: 800, Partial: 0, Failed: 200},
		DeliveryLatency:   metrics.Summary{Count: 1000, P50: 310, P99: 900, P999: 950, Max: 990}}
	// Pooled: 8 workers at 99%, the latency piling up, 63 of 100 ops/s.
	pooled := strat("pooled", 2900, 5800, 0, 2)
	pooled.Throughput = 63
	pooled.Pool = &metrics.PoolResult{Workers: 8, Queue: 1024, WhenFull: "block", Utilization: 0.99, MaxQueued: 900}
	for i := range pooled.Windows {
		if pooled.Windows[i].Started > 0 {
			pooled.Windows[i].Completed = 63
		}
	}
	return []verdictCase{
		{"clear-win", verdictResult(strat("sequential", 500, 502, 0.002, 2), strat("fanout", 300, 303, 0.002, 2))},
		{"tie", verdictResult(strat("sequential", 500, 502, 0, 2), strat("fanout", 300, 303, 0, 2), strat("hedged", 302, 290, 0, 2.04))},
		{"async-failing-deliveries", verdictResult(strat("sequential", 500, 502, 0.001, 2), strat("fanout", 300, 303, 0.001, 2), queued)},
		{"saturated-pool", verdictResult(strat("sequential", 500, 502, 0.05, 2), strat("fanout", 300, 303, 0.05, 2), pooled)},
	}
}
