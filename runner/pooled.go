package runner

import (
	"time"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/strategies"
)

// poolResult describes what a pooled strategy's pool saw over a run of
// elapsed wall time: its counters, the depth sampled over time, and the two
// sides of Little's law, L = λW.
//
// L is the time-weighted mean of the depth samples. λ is the calls that went through the
// queue (rejected calls never entered) per second of elapsed. W is their
// mean time in the pool, queue wait plus call latency, from the recorder;
// the latency histograms also hold the rejected calls, at about zero, which
// changes their sum by about a microsecond each. The pool is empty before
// and after the run, so over the whole run the two sides agree, up to the
// sampling: a check that the depth, the queue wait and the latencies were
// measured soundly.
func poolResult(p strategies.Pool, samples []metrics.Sample, rec *metrics.Recorder, elapsed time.Duration) *metrics.PoolResult {
	st := p.Stats()
	pr := &metrics.PoolResult{
		Workers:  st.Workers,
		Queue:    st.Queue,
		WhenFull: string(st.WhenFull),
		Rejected: st.Rejected,
		Depth:    samples,
	}
	if elapsed > 0 && st.Workers > 0 {
		pr.Utilization = st.Busy.Seconds() / (float64(st.Workers) * elapsed.Seconds())
	}
	pr.LittlesLaw.MeanInSystem = timeMean(samples)
	for _, s := range samples {
		pr.MaxQueued = max(pr.MaxQueued, s.Value)
	}

	var queued uint64
	var totalMS float64 // queue wait plus latency, summed over the calls
	for _, u := range rec.Upstreams {
		if u.Queued == 0 {
			continue
		}
		queued += u.Queued
		totalMS += u.QueueWait.Summary().Mean*float64(u.QueueWait.Count()) + u.Latency.Summary().Mean*float64(u.Latency.Count())
	}
	if queued > 0 && elapsed > 0 {
		ll := &pr.LittlesLaw
		ll.ArrivalRate = float64(queued) / elapsed.Seconds()
		ll.MeanTimeInSystemMS = totalMS / float64(queued)
		ll.Predicted = ll.ArrivalRate * ll.MeanTimeInSystemMS / 1000
	}
	return pr
}

// timeMean is the mean of a gauge over the time its samples cover, each
// sample standing for the interval since the one before (the first, since
// sampling began). A busy machine delays or skips ticks; weighting by the
// actual intervals keeps the mean true to time, where a plain mean of the
// samples would over-weigh the quiet spells in which ticks came on time.
func timeMean(samples []metrics.Sample) float64 {
	var area, prev float64
	for _, s := range samples {
		area += float64(s.Value) * (s.AtS - prev)
		prev = s.AtS
	}
	if prev <= 0 {
		return 0
	}
	return area / prev
}
