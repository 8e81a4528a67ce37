package metrics

import (
	"fmt"
	"strconv"
	"time"
)

// Summarize turns a merged recorder into the strategy's result. elapsed is
// the wall time the strategy ran, from the first intended start until the
// last operation finished.
func (r *Recorder) Summarize(name string, elapsed time.Duration, dropped uint64) (StrategyResult, error) {
	ops := r.Operations()
	s := StrategyResult{
		Name:        name,
		Operations:  ops,
		Dropped:     dropped,
		Outcomes:    Outcomes{OK: r.Outcomes[OutcomeOK], Partial: r.Outcomes[OutcomePartial], Failed: r.Outcomes[OutcomeFailed]},
		DurationS:   elapsed.Seconds(),
		Latency:     r.Latency.Summary(),
		ServiceTime: r.Service.Summary(),
		ScheduleLag: r.Lag.Summary(),
		LateStarts:  r.LateStarts,
		Histograms:  map[string]string{},
	}
	s.SetRates()
	hists := map[string]*Histogram{"latency": r.Latency, "service_time": r.Service, "schedule_lag": r.Lag}
	if r.Overhead.Count() > 0 {
		o := r.Overhead.Summary()
		s.HarnessOverhead = &o
		hists["harness_overhead"] = r.Overhead
	}
	for i, u := range r.Upstreams {
		name := r.layout.Upstreams[i]
		ur := UpstreamResult{Name: name, Calls: u.Calls, Attempts: u.Attempts, Retries: u.Retries,
			Responses429: u.Got429, TooEarly: u.TooEarly, Statuses: map[string]uint64{}, Latency: u.Latency.Summary()}
		if u.Waited > 0 {
			w := u.LimiterWait.Summary()
			ur.LimiterWait = &w
			hists["limiter_wait:"+name] = u.LimiterWait
		}
		if u.ConnWaited > 0 {
			w := u.ConnWait.Summary()
			ur.ConnWait, ur.ConnWaited = &w, u.ConnWaited
			hists["conn_wait:"+name] = u.ConnWait
		}
		if u.Queued > 0 {
			w := u.QueueWait.Summary()
			ur.QueueWait = &w
			hists["queue_wait:"+name] = u.QueueWait
		}
		ur.Hedges, ur.HedgesWon, ur.Wasted = u.Hedges, u.HedgesWon, u.Wasted
		if u.AttemptLatency.Count() > 0 {
			a := u.AttemptLatency.Summary()
			ur.AttemptLatency = &a
			hists["attempt_latency:"+name] = u.AttemptLatency
		}
		if u.Accepted.Count() > 0 {
			a := u.Accepted.Summary()
			ur.Accepted = &a
			hists["accepted:"+name] = u.Accepted
		}
		ur.Polls = u.Polls
		ur.Breakdown = u.phases.summarize(name, hists)
		s.WastedCalls += u.Wasted
		s.Amplification.Requests += u.Attempts + u.Polls
		for status, n := range u.Statuses[1:] {
			if n > 0 {
				ur.Statuses[strconv.Itoa(status+1)] = n
			}
		}
		for f, n := range u.Failures {
			if n > 0 {
				ur.Statuses[r.layout.Failures[f]] = n
				if text := u.FirstErrors[f]; text != "" {
					if ur.FirstErrors == nil {
						ur.FirstErrors = map[string]string{}
					}
					ur.FirstErrors[r.layout.Failures[f]] = text
				}
			}
		}
		s.Upstreams = append(s.Upstreams, ur)
		hists["upstream:"+name] = u.Latency
	}
	s.Amplification.Minimum = ops * uint64(max(r.layout.CallsPerOperation, 0))
	if s.Amplification.Minimum > 0 {
		s.Amplification.Ratio = float64(s.Amplification.Requests) / float64(s.Amplification.Minimum)
	}
	s.GoodEnough, s.GivenUpCalls = r.GoodEnough, r.GivenUp
	if r.Compensations.Sent > 0 {
		s.Compensations = &Compensations{Sent: r.Compensations.Sent, Failed: r.Compensations.Failed}
	}
	s.TailAmplification = r.tailResult()
	for key, h := range hists {
		enc, err := h.Encode()
		if err != nil {
			return StrategyResult{}, fmt.Errorf("%s %s: %w", name, key, err)
		}
		s.Histograms[key] = enc
	}
	return s, nil
}
