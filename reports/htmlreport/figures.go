package htmlreport

import (
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/reports"
)

// figures is a strategy's headline figures as the verdict weighs them
// (reports.Judge): a strategy that answers its caller before its work is
// done (queued) by what it delivers, with what its caller waits (the ack)
// kept beside.
type figures struct {
	s metrics.StrategyResult
	j reports.Judged
	// Latency that counts, in ms: the delivery's for an async strategy.
	p50, p99, p999 float64
	// ack is what an async strategy's caller waits: its operation latency.
	ack metrics.Summary
	// throughput: operations finished per second; for an async strategy,
	// operations delivered per second of the run and its drain.
	throughput float64
	errorRate  float64
	// requestsPerOp: upstream requests per operation, every retry, hedge,
	// redelivery and compensation included.
	requestsPerOp float64
}

func figuresOf(s metrics.StrategyResult) figures {
	j := reports.Judge(s)
	f := figures{s: s, j: j, p50: s.Latency.P50, p99: s.Latency.P99, p999: s.Latency.P999,
		throughput: s.Throughput, errorRate: j.ErrorRate, requestsPerOp: j.RequestsPerOp}
	if q := s.Queue; q != nil {
		f.ack = s.Latency
		f.p50, f.p99, f.p999 = q.DeliveryLatency.P50, q.DeliveryLatency.P99, q.DeliveryLatency.P999
		d := q.DeliveredOutcomes
		f.throughput = 0
		if t := s.DurationS + q.DrainS; t > 0 {
			f.throughput = float64(d.OK+d.Partial+d.Failed) / t
		}
	}
	return f
}

// async reports whether the strategy answered its caller before its work
// was done.
func (f figures) async() bool { return f.j.Async }

// measured reports whether there is anything to judge (delivered
// operations, for an async strategy).
func (f figures) measured() bool { return f.j.Measured }

func figuresOfAll(r *metrics.Result) []figures {
	out := make([]figures, len(r.Strategies))
	for i, s := range r.Strategies {
		out[i] = figuresOf(s)
	}
	return out
}

// baselineFigures are the figures of the strategy the speed-up divides by:
// sequential, or else the first that ran the sequential strategy under a
// label.
func baselineFigures(fs []figures) (figures, bool) {
	for _, f := range fs {
		if f.s.Name == baselineStrategy {
			return f, true
		}
	}
	for _, f := range fs {
		if f.s.Strategy == baselineStrategy {
			return f, true
		}
	}
	return figures{}, false
}

// asyncNames lists the strategies judged by their delivery.
func asyncNames(fs []figures) []string {
	var out []string
	for _, f := range fs {
		if f.async() {
			out = append(out, f.s.Name)
		}
	}
	return out
}
