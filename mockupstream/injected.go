package mockupstream

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// The injected-latency histograms hold 1 µs to 60 s in microseconds at 3
// significant figures: 136 KiB each.
const (
	injectedMaxMicros = 60_000_000
	injectedSigFigs   = 3
	maxInjectedShards = 4
)

// latencyRecorder records the delays a server injects, for the stats
// endpoint. It is safe for concurrent use and takes no global lock: each
// Record goes to one of a few histograms, each with its own mutex, chosen
// round-robin (the next free one when that one is busy); Summary merges them.
type latencyRecorder struct {
	next   atomic.Uint32
	shards []recorderShard
}

type recorderShard struct {
	mu   sync.Mutex
	h    *hdrhistogram.Histogram
	max  int64  // exact largest value, in µs
	over uint64 // values above injectedMaxMicros, recorded as it
	_    [64]byte
}

func newLatencyRecorder() *latencyRecorder {
	n := min(max(runtime.GOMAXPROCS(0), 1), maxInjectedShards)
	r := &latencyRecorder{shards: make([]recorderShard, n)}
	for i := range r.shards {
		r.shards[i].h = hdrhistogram.New(1, injectedMaxMicros, injectedSigFigs)
	}
	return r
}

// Record adds one injected delay. It does not allocate.
func (r *latencyRecorder) Record(d time.Duration) {
	n := uint32(len(r.shards))
	start := r.next.Add(1) % n
	for i := range n {
		s := &r.shards[(start+i)%n]
		if s.mu.TryLock() {
			s.record(d)
			s.mu.Unlock()
			return
		}
	}
	s := &r.shards[start]
	s.mu.Lock()
	s.record(d)
	s.mu.Unlock()
}

// record adds d to the shard; the caller holds its lock.
func (s *recorderShard) record(d time.Duration) {
	us := max(d.Microseconds(), 0)
	s.max = max(s.max, us)
	if us > injectedMaxMicros {
		us = injectedMaxMicros
		s.over++
	}
	_ = s.h.RecordValue(us) // in range: cannot fail
}

// Reset forgets every recorded delay.
func (r *latencyRecorder) Reset() {
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		s.h.Reset()
		s.max, s.over = 0, 0
		s.mu.Unlock()
	}
}

// LatencySummary describes the injected delays, in milliseconds at 3
// significant figures (max is exact, to the microsecond).
type LatencySummary struct {
	Count uint64  `json:"count"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	P999  float64 `json:"p999_ms"`
	Max   float64 `json:"max_ms"`
	Mean  float64 `json:"mean_ms"`
	// OverRange counts delays above 60 s, counted as 60 s in the
	// percentiles.
	OverRange uint64 `json:"over_range"`
}

// Summary merges the shards and summarises them.
func (r *latencyRecorder) Summary() LatencySummary {
	all := hdrhistogram.New(1, injectedMaxMicros, injectedSigFigs)
	var out LatencySummary
	var maxUS int64
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		all.Merge(s.h) // same settings: exact, nothing dropped
		maxUS = max(maxUS, s.max)
		out.OverRange += s.over
		s.mu.Unlock()
	}
	out.Count = uint64(all.TotalCount())
	if out.Count == 0 {
		return out
	}
	// A percentile is the highest value of its bucket, which can pass the
	// exact max: cap it there.
	ms := func(us int64) float64 { return float64(min(us, maxUS)) / 1000 }
	out.P50 = ms(all.ValueAtQuantile(50))
	out.P90 = ms(all.ValueAtQuantile(90))
	out.P99 = ms(all.ValueAtQuantile(99))
	out.P999 = ms(all.ValueAtQuantile(99.9))
	out.Max = ms(maxUS)
	out.Mean = float64(int64(all.Mean()+0.5)) / 1000
	return out
}
