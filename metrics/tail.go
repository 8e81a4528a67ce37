package metrics

import "math"

// TailAmplification is the share of operations that met the tail of at
// least one of their upstreams, against the prediction for independent
// calls. A call is in its upstream's tail when its latency exceeds the p99
// of the upstream's configured latency distribution (a mock's, known before
// the run); an operation of N calls meets the tail when any of its calls
// does, which for independent calls happens with probability
// 1 − (1 − 0.01)^N: with 5 calls, about 4.9% of operations are slow at p99.
type TailAmplification struct {
	// CallsPerOperation is N.
	CallsPerOperation int `json:"calls_per_operation"`
	// Operations counts the operations checked; Slow those with at least
	// one call over its upstream's p99.
	Operations uint64 `json:"operations"`
	Slow       uint64 `json:"slow"`
	// Measured is Slow / Operations; Predicted is 1 − 0.99^N.
	Measured  float64 `json:"measured"`
	Predicted float64 `json:"predicted"`
	// PredictedFromCalls is 1 − (1 − CallShare)^N: the prediction from the
	// calls' measured share over p99 rather than 1%. The client sees each
	// mock's delay plus the transport's, so with delays of a few
	// milliseconds more than 1% of calls pass the configured p99; when
	// Measured agrees with this, the calls met the tail independently.
	PredictedFromCalls float64 `json:"predicted_from_calls"`
	// Calls counts the calls checked, CallsOverP99 those over their
	// upstream's p99: near 1% when the measured calls match the mocks'
	// distributions (the client sees the mock's delay plus the transport's).
	Calls        uint64  `json:"calls"`
	CallsOverP99 uint64  `json:"calls_over_p99"`
	CallShare    float64 `json:"call_share"`
}

// tailCounts is what a recorder counts for TailAmplification.
type tailCounts struct {
	operations, slow, calls, callsOver uint64
}

// RecordTail counts one operation for tail amplification: it made calls
// calls, over of them slower than their upstream's p99. Allocates nothing.
func (r *Recorder) RecordTail(calls, over int) {
	r.tail.operations++
	r.tail.calls += uint64(max(calls, 0))
	r.tail.callsOver += uint64(max(over, 0))
	if over > 0 {
		r.tail.slow++
	}
}

func (t *tailCounts) add(o tailCounts) {
	t.operations += o.operations
	t.slow += o.slow
	t.calls += o.calls
	t.callsOver += o.callsOver
}

// tailResult is nil when no operation was checked.
func (r *Recorder) tailResult() *TailAmplification {
	if r.tail.operations == 0 {
		return nil
	}
	t := &TailAmplification{CallsPerOperation: r.layout.CallsPerOperation, Operations: r.tail.operations,
		Slow: r.tail.slow, Calls: r.tail.calls, CallsOverP99: r.tail.callsOver}
	t.fill()
	return t
}

// fill computes the shares and the prediction from the counts.
func (t *TailAmplification) fill() {
	t.Measured, t.CallShare = 0, 0
	if t.Operations > 0 {
		t.Measured = float64(t.Slow) / float64(t.Operations)
	}
	if t.Calls > 0 {
		t.CallShare = float64(t.CallsOverP99) / float64(t.Calls)
	}
	t.Predicted = PredictedTail(t.CallsPerOperation)
	t.PredictedFromCalls = 1 - math.Pow(1-t.CallShare, float64(max(t.CallsPerOperation, 0)))
}

// PredictedTail is 1 − (1 − 0.01)^n: the chance that at least one of n
// independent calls lands in its upstream's slowest 1%.
func PredictedTail(n int) float64 {
	return 1 - math.Pow(0.99, float64(max(n, 0)))
}

// Cost is what a strategy cost the fanbench process while it ran, sampled
// every second. The mock upstreams run in the same process: their share is
// included (IncludesMocks).
type Cost struct {
	// CPUSeconds is user + system CPU time; CPUMsPer1000Ops is that per
	// 1,000 operations, in milliseconds.
	CPUSeconds      float64 `json:"cpu_s"`
	CPUMsPer1000Ops float64 `json:"cpu_ms_per_1000_ops"`
	PeakGoroutines  int     `json:"peak_goroutines"`
	// PeakHeapBytes is the largest heap in use (live and unswept objects).
	PeakHeapBytes uint64 `json:"peak_heap_bytes"`
	// GCPauseP99MS is the p99 of the stop-the-world pauses during the
	// strategy (runtime/metrics /gc/pauses:seconds, bucketed by the
	// runtime); GCPauses counts them.
	GCPauseP99MS float64 `json:"gc_pause_p99_ms"`
	GCPauses     uint64  `json:"gc_pauses"`
	// PeakOpenConns is the most connections the HTTP caller held open.
	PeakOpenConns int `json:"peak_open_conns"`
	// IncludesMocks is true when mock upstreams ran in the process.
	IncludesMocks bool `json:"includes_mocks"`
}
