package metrics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ErrMismatch marks results that cannot be merged: they ran different
// scenarios.
var ErrMismatch = errors.New("results of different scenarios")

// MergeResults merges two results of the same scenario, as two generators
// running it side by side (or one after the other) measured it, into what
// one generator sending both loads would have measured. nameA and nameB
// name the files in errors and warnings.
//
// What is exact: histograms are merged from their encodings and every
// summary is recomputed from them; counts are summed; windows are summed
// second by second (AtS counts from each strategy's own start); shares and
// ratios are recomputed from the summed counts. What is not: DurationS is
// the longer of the two, so Throughput assumes side-by-side runs; cost
// peaks (goroutines, heap, connections) are summed, as two processes hold
// them, and the GC pause p99 is the larger of the two; a pool's
// utilization and Little's law sides are averaged, weighted by operations,
// and depth and backlog samples (time series of two processes) are left
// out. A strategy in one result only is kept as it is, with a warning.
func MergeResults(a, b *Result, nameA, nameB string) (*Result, error) {
	if !sameJSON(a.Scenario, b.Scenario) {
		return nil, fmt.Errorf("%s: %w: its scenario differs from %s's", nameB, ErrMismatch, nameA)
	}
	out := *a
	out.Strategies = nil
	out.Thresholds = nil // verdicts on a's figures, not on the merged ones
	out.Verdict = nil    // likewise: a report decides again from the merged figures
	out.Warnings = slices.Clone(a.Warnings)
	for _, w := range b.Warnings {
		if !slices.Contains(out.Warnings, w) {
			out.Warnings = append(out.Warnings, w)
		}
	}
	if b.StartedAt.Before(a.StartedAt) {
		out.StartedAt = b.StartedAt
	}
	out.DurationS = max(a.DurationS, b.DurationS)
	out.Interrupted = a.Interrupted || b.Interrupted
	for _, sa := range a.Strategies {
		i := slices.IndexFunc(b.Strategies, func(s StrategyResult) bool { return s.Name == sa.Name })
		if i < 0 {
			out.Warnings = append(out.Warnings, fmt.Sprintf("%s: only in %s, not merged", sa.Name, nameA))
			out.Strategies = append(out.Strategies, sa)
			continue
		}
		m, err := mergeStrategy(sa, b.Strategies[i])
		if err != nil {
			return nil, fmt.Errorf("merging %s and %s: %w", nameA, nameB, err)
		}
		out.Strategies = append(out.Strategies, m)
	}
	for _, sb := range b.Strategies {
		if !slices.ContainsFunc(a.Strategies, func(s StrategyResult) bool { return s.Name == sb.Name }) {
			out.Warnings = append(out.Warnings, fmt.Sprintf("%s: only in %s, not merged", sb.Name, nameB))
			out.Strategies = append(out.Strategies, sb)
		}
	}
	return &out, nil
}

// sameJSON compares two JSON documents, ignoring insignificant space.
func sameJSON(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}

// MergeStrategy merges two measurements of one strategy, as MergeResults
// does each strategy of two results: exactly, from the histograms.
func MergeStrategy(a, b StrategyResult) (StrategyResult, error) { return mergeStrategy(a, b) }

func mergeStrategy(a, b StrategyResult) (StrategyResult, error) {
	if a.Sweep != nil || b.Sweep != nil {
		return StrategyResult{}, fmt.Errorf("strategy %s: results of a rate sweep cannot be merged (each found its own sustained rate); run the sweep once", a.Name)
	}
	if a.Widths != nil || b.Widths != nil {
		return StrategyResult{}, fmt.Errorf("strategy %s: results of a width sweep cannot be merged (each holds only its widest step's histograms); run the sweep once", a.Name)
	}
	m := a
	m.Operations += b.Operations
	m.Dropped += b.Dropped
	m.NotStarted += b.NotStarted
	m.Interrupted += b.Interrupted
	m.Warmup += b.Warmup
	m.Outcomes = a.Outcomes.Add(b.Outcomes)
	m.DurationS = max(a.DurationS, b.DurationS)
	m.SetRates()
	// Per-repeat figures of two generators side by side are not the
	// figures of one generator: they are left out.
	m.Repeats = nil
	m.LateStarts += b.LateStarts
	m.WastedCalls += b.WastedCalls
	m.GoodEnough += b.GoodEnough
	m.GivenUpCalls += b.GivenUpCalls
	m.Amplification = Amplification{Requests: a.Amplification.Requests + b.Amplification.Requests,
		Minimum: a.Amplification.Minimum + b.Amplification.Minimum}
	if m.Amplification.Minimum > 0 {
		m.Amplification.Ratio = float64(m.Amplification.Requests) / float64(m.Amplification.Minimum)
	}
	if a.Compensations != nil || b.Compensations != nil {
		c := Compensations{}
		for _, x := range []*Compensations{a.Compensations, b.Compensations} {
			if x != nil {
				c.Sent += x.Sent
				c.Failed += x.Failed
			}
		}
		m.Compensations = &c
	}

	hists, err := mergeHistograms(a.Histograms, b.Histograms)
	if err != nil {
		return StrategyResult{}, fmt.Errorf("strategy %s: %w", a.Name, err)
	}
	m.Histograms = make(map[string]string, len(hists))
	for _, key := range slices.Sorted(maps.Keys(hists)) {
		enc, err := hists[key].Encode()
		if err != nil {
			return StrategyResult{}, fmt.Errorf("strategy %s, histogram %s: %w", a.Name, key, err)
		}
		m.Histograms[key] = enc
	}
	summary := func(key string) (Summary, bool) {
		if h, ok := hists[key]; ok {
			return h.Summary(), true
		}
		return Summary{}, false
	}
	m.Latency, _ = summary("latency")
	m.ServiceTime, _ = summary("service_time")
	m.ScheduleLag, _ = summary("schedule_lag")
	if s, ok := summary("harness_overhead"); ok {
		m.HarnessOverhead = &s
	}

	m.Upstreams = nil
	for _, ua := range a.Upstreams {
		u := ua
		u.Statuses = maps.Clone(ua.Statuses)
		u.FirstErrors = maps.Clone(ua.FirstErrors)
		if i := slices.IndexFunc(b.Upstreams, func(x UpstreamResult) bool { return x.Name == ua.Name }); i >= 0 {
			ub := b.Upstreams[i]
			if ub.Client != u.Client { // parts run with different clients: say both
				u.Client = strings.Join(slices.Compact(slices.Sorted(slices.Values([]string{u.Client, ub.Client}))), "+")
			}
			u.Calls += ub.Calls
			u.Attempts += ub.Attempts
			u.Retries += ub.Retries
			u.Responses429 += ub.Responses429
			u.TooEarly += ub.TooEarly
			u.ConnWaited += ub.ConnWaited
			u.Hedges += ub.Hedges
			u.HedgesWon += ub.HedgesWon
			u.Wasted += ub.Wasted
			u.Polls += ub.Polls
			if u.Statuses == nil {
				u.Statuses = map[string]uint64{}
			}
			for k, v := range ub.Statuses {
				u.Statuses[k] += v
			}
			for k, v := range ub.FirstErrors {
				if _, ok := u.FirstErrors[k]; !ok {
					if u.FirstErrors == nil {
						u.FirstErrors = map[string]string{}
					}
					u.FirstErrors[k] = v
				}
			}
		}
		u.Latency, _ = summary("upstream:" + u.Name)
		u.LimiterWait, u.ConnWait, u.QueueWait, u.AttemptLatency, u.Accepted = nil, nil, nil, nil, nil
		if s, ok := summary("accepted:" + u.Name); ok {
			u.Accepted = &s
		}
		if s, ok := summary("limiter_wait:" + u.Name); ok {
			u.LimiterWait = &s
		}
		if s, ok := summary("conn_wait:" + u.Name); ok {
			u.ConnWait = &s
		}
		if s, ok := summary("queue_wait:" + u.Name); ok {
			u.QueueWait = &s
		}
		if s, ok := summary("attempt_latency:" + u.Name); ok {
			u.AttemptLatency = &s
		}
		var ub *Breakdown
		if i := slices.IndexFunc(b.Upstreams, func(x UpstreamResult) bool { return x.Name == ua.Name }); i >= 0 {
			ub = b.Upstreams[i].Breakdown
		}
		u.Breakdown = mergeBreakdown(ua.Breakdown, ub, u.Name, summary)
		m.Upstreams = append(m.Upstreams, u)
	}

	if len(a.Windows) > 0 || len(b.Windows) > 0 {
		m.Windows = MergeWindows(a.Windows, b.Windows)
	}
	m.Callbacks = mergeCallbacks(a.Callbacks, b.Callbacks)
	m.Cost = mergeCost(a.Cost, b.Cost, m.Operations)
	m.TailAmplification = mergeTail(a.TailAmplification, b.TailAmplification)
	m.Pool = mergePool(a.Pool, b.Pool, a.Operations, b.Operations)
	m.Queue = mergeQueue(a.Queue, b.Queue)
	if m.Queue != nil {
		m.Queue.DeliveryLatency, _ = summary("delivery_latency")
		if m.Queue.Broker != nil {
			m.Queue.Broker.PublishAck, _ = summary("publish_ack")
		}
	}
	return m, nil
}

// mergeHistograms decodes and merges two results' histograms, by name.
func mergeHistograms(a, b map[string]string) (map[string]*Histogram, error) {
	out := map[string]*Histogram{}
	for _, src := range []map[string]string{a, b} {
		for _, key := range slices.Sorted(maps.Keys(src)) {
			h, err := DecodeHistogram(src[key])
			if err != nil {
				return nil, fmt.Errorf("histogram %s: %w", key, err)
			}
			if prev, ok := out[key]; ok {
				prev.Merge(h)
			} else {
				out[key] = h
			}
		}
	}
	return out, nil
}

func mergeCost(a, b *Cost, operations uint64) *Cost {
	if one, ok := eitherOf(a, b); ok {
		return one
	}
	c := &Cost{
		CPUSeconds:     a.CPUSeconds + b.CPUSeconds,
		PeakGoroutines: a.PeakGoroutines + b.PeakGoroutines,
		PeakHeapBytes:  a.PeakHeapBytes + b.PeakHeapBytes,
		GCPauseP99MS:   max(a.GCPauseP99MS, b.GCPauseP99MS),
		GCPauses:       a.GCPauses + b.GCPauses,
		PeakOpenConns:  a.PeakOpenConns + b.PeakOpenConns,
		IncludesMocks:  a.IncludesMocks || b.IncludesMocks,
	}
	if operations > 0 {
		c.CPUMsPer1000Ops = c.CPUSeconds * 1000 * 1000 / float64(operations)
	}
	return c
}

func mergeTail(a, b *TailAmplification) *TailAmplification {
	if one, ok := eitherOf(a, b); ok {
		return one
	}
	t := &TailAmplification{CallsPerOperation: a.CallsPerOperation, Operations: a.Operations + b.Operations,
		Slow: a.Slow + b.Slow, Calls: a.Calls + b.Calls, CallsOverP99: a.CallsOverP99 + b.CallsOverP99}
	t.fill()
	return t
}

func mergePool(a, b *PoolResult, opsA, opsB uint64) *PoolResult {
	if one, ok := eitherOf(a, b); ok {
		return one
	}
	wa, wb := float64(opsA), float64(opsB)
	avg := func(x, y float64) float64 {
		if wa+wb == 0 {
			return (x + y) / 2
		}
		return (x*wa + y*wb) / (wa + wb)
	}
	p := *a
	p.Depth = nil
	p.Rejected += b.Rejected
	p.MaxQueued = max(a.MaxQueued, b.MaxQueued)
	p.Utilization = avg(a.Utilization, b.Utilization)
	p.LittlesLaw = LittlesLaw{
		MeanInSystem:       a.LittlesLaw.MeanInSystem + b.LittlesLaw.MeanInSystem,
		ArrivalRate:        a.LittlesLaw.ArrivalRate + b.LittlesLaw.ArrivalRate,
		MeanTimeInSystemMS: avg(a.LittlesLaw.MeanTimeInSystemMS, b.LittlesLaw.MeanTimeInSystemMS),
	}
	p.LittlesLaw.Predicted = p.LittlesLaw.ArrivalRate * p.LittlesLaw.MeanTimeInSystemMS / 1000
	return &p
}

func mergeQueue(a, b *QueueResult) *QueueResult {
	if one, ok := eitherOf(a, b); ok {
		return one
	}
	q := *a
	q.Backlog = nil
	q.Acked += b.Acked
	q.Delivered += b.Delivered
	q.Undelivered += b.Undelivered
	q.DeliveredOutcomes = a.DeliveredOutcomes.Add(b.DeliveredOutcomes)
	q.Redeliveries += b.Redeliveries
	q.Duplicates += b.Duplicates
	q.DrainS = max(a.DrainS, b.DrainS)
	q.MaxBacklog = max(a.MaxBacklog, b.MaxBacklog)
	q.DeadLettered += b.DeadLettered
	q.Broker = mergeBroker(a.Broker, b.Broker)
	return &q
}

// mergeBroker adds b's counts to a's; the settings are a's, the sampled
// series dropped (their times differ), the peaks the larger.
func mergeBroker(a, b *BrokerResult) *BrokerResult {
	if one, ok := eitherOf(a, b); ok {
		return one
	}
	m := *a
	m.StreamBacklog = nil
	m.Published += b.Published
	m.PublishRetries += b.PublishRetries
	m.PublishErrors += b.PublishErrors
	m.ServerDuplicates += b.ServerDuplicates
	m.Redelivered += b.Redelivered
	m.AlreadyAcked += b.AlreadyAcked
	m.Stale += b.Stale
	m.StreamRemaining += b.StreamRemaining
	m.MaxStreamBacklog = max(a.MaxStreamBacklog, b.MaxStreamBacklog)
	m.PeakStreamBytes = max(a.PeakStreamBytes, b.PeakStreamBytes)
	m.Restarts += b.Restarts
	addSeconds := func(x, y *float64) *float64 {
		if x == nil || y == nil {
			return nil // unknown on one side: unknown in all
		}
		v := *x + *y
		return &v
	}
	m.CPUSeconds = addSeconds(a.CPUSeconds, b.CPUSeconds)
	m.ClientCPUSeconds = addSeconds(a.ClientCPUSeconds, b.ClientCPUSeconds)
	return &m
}

// eitherOf returns the one of a and b that is set (or nil), and true,
// unless both are: then there is something to merge.
func eitherOf[T any](a, b *T) (*T, bool) {
	switch {
	case a == nil:
		return b, true
	case b == nil:
		return a, true
	}
	return nil, false
}
