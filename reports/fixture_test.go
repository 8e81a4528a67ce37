package reports

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fanbench/fanbench/metrics"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixture builds a result by recording known values, as a run would.
func fixture(t *testing.T) *metrics.Result {
	t.Helper()
	layout := metrics.Layout{Upstreams: []string{"profile", "audit"},
		Failures:          []string{"none", "timeout", "canceled", "refused", "reset", "transport", "breaker_open", "limited", "skipped", "rejected"},
		CallsPerOperation: 2}
	res := &metrics.Result{
		Schema:      metrics.Schema,
		Scenario:    json.RawMessage(`{"name":"seed"}`),
		Environment: metrics.Environment{FanbenchVersion: "test", GoVersion: "go1.26", OS: "linux", Arch: "amd64", CPUs: 2},
		StartedAt:   time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
		DurationS:   21.04,
		Warnings:    []string{"fanout: the generator fell behind"},
	}
	for _, s := range []struct {
		name     string
		base     time.Duration
		ideal    bool
		policies bool // the audit calls go through retries and a breaker
	}{{"sequential", 500 * time.Millisecond, true, false}, {"fanout", 300 * time.Millisecond, false, true}} {
		r := metrics.NewRecorder(layout)
		for i := range 200 {
			d := s.base + time.Duration(i)*10*time.Microsecond
			outcome := metrics.OutcomeOK
			status := 200
			if i%50 == 0 {
				outcome, status = metrics.OutcomePartial, 503
			}
			r.RecordOperation(outcome, d, d, 0, 0)
			if s.ideal {
				r.RecordOverhead(time.Duration(i) * 10 * time.Microsecond)
			}
			r.RecordCall(metrics.CallSample{Upstream: 0, Status: 200, Attempts: 1, Latency: 200 * time.Millisecond})
			switch {
			case i == 7:
				r.RecordCall(metrics.CallSample{Upstream: 1, Failure: 1, Attempts: 1, Latency: 2 * time.Second, Wasted: s.policies})
			case !s.policies && i == 9:
				// Skipped after the critical profile call failed; the
				// profile call is compensated.
				r.RecordCall(metrics.CallSample{Upstream: 1, Failure: 8})
				r.RecordCompensations(1, 0)
			case s.policies && i%40 == 1:
				// Refused by the open breaker: no attempt.
				r.RecordCall(metrics.CallSample{Upstream: 1, Failure: 6})
			case s.policies && i%40 == 21:
				// Answered 429 three times, one retry too early.
				r.RecordCall(metrics.CallSample{Upstream: 1, Status: 429, Attempts: 3, Got429: 3, TooEarly: 1, Latency: 900 * time.Millisecond})
			case s.policies && i%10 == 3:
				r.RecordCall(metrics.CallSample{Upstream: 1, Status: 200, Attempts: 2, Got429: 1, Latency: 350 * time.Millisecond,
					LimiterWait: 4 * time.Millisecond})
			default:
				r.RecordCall(metrics.CallSample{Upstream: 1, Status: status, Attempts: 1, Latency: 300 * time.Millisecond})
			}
		}
		sr, err := r.Summarize(s.name, 10*time.Second, 0)
		if err != nil {
			t.Fatal(err)
		}
		sr.Strategy = s.name
		sr.Options = map[string]string{"fail_fast": "false"}
		if !s.policies {
			sr.Options = map[string]string{"stop_on_critical_failure": "true"}
		}
		res.Strategies = append(res.Strategies, sr)
	}
	res.Strategies[1].Cost = &metrics.Cost{CPUMsPer1000Ops: 412.5, PeakGoroutines: 73, PeakHeapBytes: 12 << 20,
		GCPauseP99MS: 0.25, PeakOpenConns: 9, IncludesMocks: true}
	val := func(v float64) *float64 { return &v }
	res.Thresholds = []metrics.ThresholdResult{
		{Strategy: "fanout", Threshold: "p99 < 350ms", Value: val(302.1), Unit: "ms", Pass: true},
		{Strategy: "fanout", Threshold: "error_rate < 1%", Value: val(0.02), Unit: "share", Pass: false},
	}
	return res
}

// hostile is a result whose scenario, strategy and upstream names try to
// break out of Markdown, CSV and terminal formatting.
func hostile(t *testing.T) *metrics.Result {
	t.Helper()
	r := fixture(t)
	r.Scenario = json.RawMessage(`{"name":"<script>alert(1)</script> | *x*"}`)
	r.Strategies[0].Name = "=HYPERLINK(\"x\")"
	r.Strategies[1].Name = "1. fan|out\n# h"
	r.Strategies[1].Upstreams[1].Name = "@team [a](b) `c`"
	r.Warnings = []string{"- <b>dropped</b> | & more"}
	r.Thresholds[0].Strategy = r.Strategies[1].Name
	return r
}

// withAgents is the fixture as a distributed run of three agents, one of
// them lost, would record it.
func withAgents(t *testing.T) *metrics.Result {
	t.Helper()
	r := fixture(t)
	lag := metrics.Summary{Count: 300, P50: 0.06, P99: 0.5, Max: 2.3}
	r.Agents = []metrics.Agent{
		{Name: "load-1", Host: "10.0.0.11", Segment: "0:1/3", Status: "finished", Operations: 600, ScheduleLag: lag, LateStarts: 2,
			ClockOffsetMS: 0.004, ClockRTTMS: 0.12, CPUSeconds: 3.2},
		{Name: "load-2", Host: "load-2", Segment: "1/3:2/3", Status: "finished", Operations: 600, ScheduleLag: lag,
			ClockOffsetMS: -1.25, ClockRTTMS: 0.8, CPUSeconds: 3.1},
		{Name: "load-3", Host: "10.0.0.13", Segment: "2/3:1", Status: "lost", Operations: 210, Lost: 390, ScheduleLag: lag,
			ClockOffsetMS: 0.5, ClockRTTMS: 0.3, Warnings: []string{"cut off"}},
	}
	return r
}

// testResults are the results every renderer is golden-tested with: the
// recorded fixture, and real results of three examples (histograms and
// time series stripped), which bring pools, queues, hedges, breakers,
// 429s, cost and warnings.
func testResults(t *testing.T) map[string]*metrics.Result {
	t.Helper()
	results := map[string]*metrics.Result{"recorded": fixture(t), "hostile": hostile(t), "agents": withAgents(t)}
	for _, name := range []string{"checkout", "rate-limited", "brownout", "webhooks"} {
		// Stripped of their histograms, they are no longer files that
		// metrics.ReadResult accepts (it checks the counts against them).
		data, err := os.ReadFile(filepath.Join("testdata", name+".json"))
		r := new(metrics.Result)
		if err == nil {
			err = json.Unmarshal(data, r)
		}
		if err != nil {
			t.Fatal(err)
		}
		results[name] = r
	}
	return results
}
