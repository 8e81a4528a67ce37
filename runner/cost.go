package runner

import (
	"runtime/metrics"
	"syscall"
	"time"

	fbmetrics "github.com/fanbench/fanbench/metrics"
)

// costEvery is how often the cost sampler reads the process's gauges.
const costEvery = time.Second

// costSampler reads what a strategy costs the process, from its own
// goroutine: the CPU time at the start and the end, and every second the
// goroutines, the heap in use and the open connections, keeping the peaks.
// GC pauses are the runtime's cumulative histogram, differenced.
type costSampler struct {
	conns func() int
	loop  *periodic

	cpuStart   time.Duration
	pauseStart *metrics.Float64Histogram
	samples    []metrics.Sample
	// Written by the sampling goroutine until done is closed.
	peakGoroutines, peakConns int
	peakHeap                  uint64
}

const (
	metricGoroutines = "/sched/goroutines:goroutines"
	metricHeap       = "/memory/classes/heap/objects:bytes"
	metricPauses     = "/gc/pauses:seconds"
)

// startCost starts sampling; conns says how many connections the caller
// holds open (nil: not counted).
func startCost(conns func() int) *costSampler {
	c := &costSampler{conns: conns, cpuStart: CPUTime(),
		samples: []metrics.Sample{{Name: metricGoroutines}, {Name: metricHeap}, {Name: metricPauses}}}
	c.read()
	c.pauseStart = copyHistogram(c.samples[2].Value)
	c.loop = startPeriodic(func() time.Duration { return costEvery }, func(time.Time) { c.read() })
	return c
}

// read takes one sample and updates the peaks.
func (c *costSampler) read() {
	metrics.Read(c.samples)
	if v := c.samples[0].Value; v.Kind() == metrics.KindUint64 {
		c.peakGoroutines = max(c.peakGoroutines, int(v.Uint64()))
	}
	if v := c.samples[1].Value; v.Kind() == metrics.KindUint64 {
		c.peakHeap = max(c.peakHeap, v.Uint64())
	}
	if c.conns != nil {
		c.peakConns = max(c.peakConns, c.conns())
	}
}

// stop ends the sampling, takes a last sample and returns the cost of
// operations operations.
func (c *costSampler) stop(operations uint64, mocks bool) *fbmetrics.Cost {
	c.loop.stop()
	c.read()
	cpu := CPUTime() - c.cpuStart
	out := &fbmetrics.Cost{CPUSeconds: cpu.Seconds(), PeakGoroutines: c.peakGoroutines, PeakHeapBytes: c.peakHeap,
		PeakOpenConns: c.peakConns, IncludesMocks: mocks}
	if operations > 0 {
		out.CPUMsPer1000Ops = float64(cpu) / float64(time.Millisecond) * 1000 / float64(operations)
	}
	out.GCPauses, out.GCPauseP99MS = pauseP99(c.pauseStart, c.samples[2].Value)
	return out
}

// CPUTime is the process's user + system CPU time (an agent of a
// distributed run reports it).
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func copyHistogram(v metrics.Value) *metrics.Float64Histogram {
	if v.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	h := v.Float64Histogram()
	return &metrics.Float64Histogram{Counts: append([]uint64(nil), h.Counts...), Buckets: h.Buckets}
}

// pauseP99 returns the pauses between the two cumulative histograms and
// their p99 in milliseconds: the upper bound of the bucket holding it.
func pauseP99(start *metrics.Float64Histogram, endV metrics.Value) (uint64, float64) {
	if start == nil || endV.Kind() != metrics.KindFloat64Histogram {
		return 0, 0
	}
	end := endV.Float64Histogram()
	if len(end.Counts) != len(start.Counts) {
		return 0, 0
	}
	var total uint64
	for i := range end.Counts {
		total += end.Counts[i] - start.Counts[i]
	}
	if total == 0 {
		return 0, 0
	}
	rank := (total*99 + 99) / 100 // ceil(0.99 × total)
	var seen uint64
	for i := range end.Counts {
		seen += end.Counts[i] - start.Counts[i]
		if seen >= rank {
			upper := end.Buckets[i+1]
			if upper > 1e9 { // +Inf: the lower bound is all that is known
				upper = end.Buckets[i]
			}
			return total, upper * 1000
		}
	}
	return total, 0
}
