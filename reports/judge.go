package reports

import (
	"math"

	"github.com/fanbench/fanbench/metrics"
)

// Judged is one strategy's figures as the verdict weighs them. A strategy
// that answers its caller before its work is done (queued: the ack comes
// after the enqueue) is judged by what it delivers: its latency is the
// delivery latency, from the intended start to the last call delivered, and
// its error rate that of the operations delivered in full; what its caller
// waits (the ack) is kept beside them.
type Judged struct {
	Name string
	// Async: the strategy answered its caller before the work was done.
	Async bool
	// Measured: there are operations to judge (delivered ones, for Async).
	Measured bool
	// P50 and P99 are the latency that counts, in ms; CallerP50 what the
	// caller waited (the same as P50 unless Async).
	P50, P99, CallerP50 float64
	// ErrorRate and PartialRate are shares of the operations: not ok, and
	// partial. For Async, an operation is ok when it was acked and every
	// call of it was delivered ok.
	ErrorRate, PartialRate float64
	// RequestsPerOp is the upstream requests (retries, hedges,
	// redeliveries, compensations included) per operation.
	RequestsPerOp float64
	// CPUPer1000 is the CPU time per 1,000 operations in ms, when sampled.
	CPUPer1000 float64
	HasCPU     bool
	// RoundsP50 and RoundsP99 are each round's figures, when the load was
	// repeated (not for Async: the rounds record the ack only).
	RoundsP50, RoundsP99 []float64
}

// judge returns s as the verdict weighs it.
func judge(s metrics.StrategyResult) Judged {
	j := Judged{Name: s.Name, Measured: s.Operations > 0,
		P50: s.Latency.P50, P99: s.Latency.P99, CallerP50: s.Latency.P50,
		ErrorRate: s.ErrorRate, PartialRate: rate(s.Outcomes.Partial, s.Operations)}
	if q := s.Queue; q != nil {
		j.Async = true
		d := q.DeliveredOutcomes
		j.Measured = s.Operations > 0 && d.OK+d.Partial+d.Failed > 0
		j.P50, j.P99 = q.DeliveryLatency.P50, q.DeliveryLatency.P99
		// Not ok: refused at the ack, delivered partial or failed, or never
		// delivered in full.
		j.ErrorRate = 1 - rate(d.OK, s.Operations)
		j.PartialRate = rate(s.Outcomes.Partial+d.Partial, s.Operations)
	}
	if s.Operations > 0 {
		j.RequestsPerOp = float64(s.Amplification.Requests) / float64(s.Operations)
	}
	j.CPUPer1000, j.HasCPU = cpuPer1000(s)
	if !j.Async {
		for _, r := range s.Repeats {
			j.RoundsP50 = append(j.RoundsP50, r.Latency.P50)
			j.RoundsP99 = append(j.RoundsP99, r.Latency.P99)
		}
	}
	return j
}

func rate(n, of uint64) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// Tolerances of the verdict when the load was not repeated: differences
// within them are ties. They are the baseline comparison's defaults (see
// compare.DefaultTolerances), so the two never disagree on noise.
const (
	tieP50      = 0.05  // relative
	tieP99      = 0.10  // relative
	tieRate     = 0.005 // absolute: half a percentage point
	tieRequests = 0.05  // relative
	tieCPU      = 0.25  // relative
	// tieAlpha is the significance a difference over repeats must reach.
	tieAlpha = 0.05
)

// sameRel reports whether a and b are within tol of each other, relative
// to the larger.
func sameRel(a, b, tol float64) bool {
	hi := math.Max(math.Abs(a), math.Abs(b))
	return hi == 0 || math.Abs(a-b) <= tol*hi
}
