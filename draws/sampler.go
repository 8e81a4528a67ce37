package draws

import "time"

// Sampler draws delays from a Latency, compiled once: Sample is a pure,
// allocation-free function of a uniform number, safe for concurrent use.
// The mock upstreams draw their delays with it, and the closed load model
// its think times.
type Sampler struct{ s latencySampler }

// NewSampler validates l and compiles it.
func NewSampler(l Latency) (*Sampler, error) {
	if _, err := l.Quantile(0); err != nil {
		return nil, err
	}
	return CompileValid(l), nil
}

// CompileValid compiles l, which the caller has validated (Check reported
// nothing): for a config whose own Validate covered its latencies.
func CompileValid(l Latency) *Sampler { return &Sampler{s: compileLatency(l)} }

// Sample returns the delay at u, uniform in [0, 1), by inverse transform.
func (s *Sampler) Sample(u float64) time.Duration { return s.s.sample(u) }
