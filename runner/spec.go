package runner

import (
	"strconv"

	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
)

// specOf converts a scenario's strategy entry, its defaults filled in by
// validation, into what strategies.New takes; the scenario's policies give
// each upstream's own hedging.
func specOf(sc *scenarios.Scenario, s scenarios.Strategy) strategies.Spec {
	spec := strategies.Spec{
		Name:                  s.Name,
		StopOnCriticalFailure: s.StopOnCriticalFailure,
		FailFast:              s.FailFast,
		Workers:               s.Workers,
		Queue:                 s.Queue,
		Reject:                s.WhenFull == scenarios.WhenFullReject,
		Consumers:             s.Consumers,
		Capacity:              s.Capacity,
	}
	if h := s.HedgeDelay; h != nil {
		spec.HedgeDelay, spec.HedgeQuantile = h.Fixed, h.Quantile
	}
	if s.Name == "hedged" {
		for i, up := range sc.Upstreams {
			h := sc.PolicyFor(up.Name).Hedge
			if h == nil {
				continue
			}
			if spec.HedgeUpstreams == nil {
				spec.HedgeUpstreams = make([]strategies.UpstreamHedge, len(sc.Upstreams))
			}
			spec.HedgeUpstreams[i] = strategies.UpstreamHedge{Off: h.Off, Delay: h.Fixed, Quantile: h.Quantile}
		}
	}
	return spec
}

// optionsOf lists the options a strategy entry ran with, spelled as in the
// scenario file, for the result and the reports; nil when it has none.
func optionsOf(s scenarios.Strategy) map[string]string {
	o := map[string]string{}
	switch s.Name {
	case "sequential":
		o["stop_on_critical_failure"] = strconv.FormatBool(s.StopOnCriticalFailure)
	case "fanout":
		o["fail_fast"] = strconv.FormatBool(s.FailFast)
	case "pooled":
		o["workers"] = strconv.Itoa(s.Workers)
		o["queue"] = strconv.Itoa(s.Queue)
		o["when_full"] = s.WhenFull
	case "queued":
		o["consumers"] = strconv.Itoa(s.Consumers)
		o["capacity"] = strconv.Itoa(s.Capacity)
		o["when_full"] = s.WhenFull
		o["drain"] = s.Drain.String()
	case "hedged":
		if s.HedgeDelay != nil {
			text, _ := s.HedgeDelay.MarshalText()
			o["hedge_delay"] = string(text)
		}
	}
	return o
}
