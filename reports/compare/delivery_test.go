package compare

import (
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

// queuedRepeat is a repeat of queued: acks around ack ms, deliveries
// around delivery ms with a share failed of them not delivered ok.
func queuedRepeat(k int, ack, delivery, failed float64) metrics.Repeat {
	r := repeat(42, ack, k)
	d := repeat(42, delivery, k)
	r.Delivery = &metrics.RepeatDelivery{Latency: d.Latency, ErrorRate: failed}
	return r
}

// queuedStrategy is queued's result for reps: a queue, and its repeats.
func queuedStrategy(reps []metrics.Repeat) metrics.StrategyResult {
	s := strategy("queued", reps)
	s.Queue = &metrics.QueueResult{Consumers: 8}
	if d := reps[0].Delivery; d != nil {
		s.Queue.DeliveryLatency = d.Latency
		s.Queue.DeliveredOutcomes = metrics.Outcomes{OK: uint64(float64(s.Operations) * (1 - d.ErrorRate))}
	}
	return s
}

// An async strategy is judged by its delivery: a slower delivery behind
// unchanged acks regresses, slower acks behind an unchanged delivery do
// not, and failing deliveries raise its error rate.
func TestCompareJudgesAsyncByDelivery(t *testing.T) {
	t.Parallel()
	side := func(ack, delivery, failed float64) *metrics.Result {
		var reps []metrics.Repeat
		for k := range 5 {
			reps = append(reps, queuedRepeat(k, ack, delivery, failed))
		}
		return result(scenarioJSON(42, "10s", "200ms"), queuedStrategy(reps))
	}
	tests := []struct {
		name        string
		base, cur   *metrics.Result
		regressions []string
		headline    string
	}{
		{"slower delivery, same acks", side(0.07, 300, 0), side(0.07, 400, 0),
			[]string{"queued delivery p50 (+33.3%)", "queued delivery p99 ("}, "delivery p50 of queued is 33% worse"},
		{"slower acks, same delivery", side(0.07, 300, 0), side(0.2, 300, 0), nil, "no significant change"},
		{"failing deliveries", side(0.07, 300, 0), side(0.07, 300, 0.2), []string{"queued delivery error_rate (+20.00 pp)"},
			"delivered error rate of queued is 20.00 pp worse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustCompare(t, []*metrics.Result{tt.base}, []*metrics.Result{tt.cur}, Options{})
			if c.Strategies[0].JudgedBy != JudgedByDelivery {
				t.Errorf("judged by %q, want %q", c.Strategies[0].JudgedBy, JudgedByDelivery)
			}
			got := strings.Join(Regressions(c), ", ")
			for _, want := range tt.regressions {
				if !strings.Contains(got, want) {
					t.Errorf("regressions %q lack %q", got, want)
				}
			}
			if tt.regressions == nil && c.Regressed {
				t.Errorf("regressed: %q; want none (the acks are not judged)", got)
			}
			if h := Headline(c); !strings.Contains(h, tt.headline) {
				t.Errorf("Headline = %q, want %q in it", h, tt.headline)
			}
		})
	}
}

// What cannot be judged by delivery says so: one run a side (the
// per-second windows are of the ack), a file whose repeats hold no
// delivery (written before it was recorded).
func TestCompareAsyncNotTested(t *testing.T) {
	t.Parallel()
	one := func(delivery float64) *metrics.Result {
		s := queuedStrategy([]metrics.Repeat{queuedRepeat(0, 0.07, delivery, 0)})
		s.Windows = windows(10, 0.07, 0)
		return result(scenarioJSON(42, "10s", "200ms"), s)
	}
	c := mustCompare(t, []*metrics.Result{one(300)}, []*metrics.Result{one(600)}, Options{})
	p50 := findMetric(t, c, "queued", "p50")
	if p50.P != nil || !strings.Contains(p50.Note, "of the ack, not of the delivery") || p50.Baseline != 300 || p50.Current != 600 {
		t.Errorf("one run a side: p50 %+v; want the delivery shown (300 → 600 ms) but not tested, and why", p50)
	}
	if tp := findMetric(t, c, "queued", "throughput"); tp.P == nil {
		t.Errorf("one run a side: throughput not tested (%+v)", tp)
	}
	var old []metrics.Repeat
	for k := range 5 {
		r := queuedRepeat(k, 0.07, 300, 0)
		r.Delivery = nil
		old = append(old, r)
	}
	var fresh []metrics.Repeat
	for k := range 5 {
		fresh = append(fresh, queuedRepeat(k, 0.07, 300, 0))
	}
	c = mustCompare(t, []*metrics.Result{result(scenarioJSON(42, "10s", "200ms"), queuedStrategy(old))},
		[]*metrics.Result{result(scenarioJSON(42, "10s", "200ms"), queuedStrategy(fresh))}, Options{})
	if p := findMetric(t, c, "queued", "p99"); p.P != nil || !strings.Contains(p.Note, "older fanbench") {
		t.Errorf("repeats without delivery: p99 %+v; want not tested, and why", p)
	}
}

// The runs' environments are compared: CPUs, versions, platform, and runs
// interrupted or warned are named.
func TestCompareEnvironmentDifferences(t *testing.T) {
	t.Parallel()
	mk := func(cpus int, version string, interrupted bool, warnings ...string) *metrics.Result {
		r := result(scenarioJSON(42, "10s", "200ms"), strategy("fanout", []metrics.Repeat{repeat(42, 300, 0)}))
		r.Environment = metrics.Environment{FanbenchVersion: version, GoVersion: "go1.26.8", OS: "linux", Arch: "amd64", CPUs: cpus}
		r.Interrupted, r.Warnings = interrupted, warnings
		return r
	}
	tests := []struct {
		name      string
		base, cur *metrics.Result
		want      []string
	}{
		{"alike", mk(2, "v1", false), mk(2, "v1", false), nil},
		{"CPUs and version", mk(2, "v1", false), mk(4, "v2", false),
			[]string{"CPUs: 2 in the baseline, 4 in the current results", "fanbench: v1 in the baseline, v2 in the current results"}},
		{"interrupted and warned", mk(2, "v1", false, "fanout: the generator fell behind"), mk(2, "v1", true),
			[]string{"base.json warned: fanout: the generator fell behind", "cur.json was interrupted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustCompare(t, []*metrics.Result{tt.base}, []*metrics.Result{tt.cur},
				Options{BaselineNames: []string{"base.json"}, CurrentNames: []string{"cur.json"}})
			if len(c.EnvironmentDifferences) != len(tt.want) {
				t.Errorf("environment differences %q, want %q", c.EnvironmentDifferences, tt.want)
			}
			got := strings.Join(c.EnvironmentDifferences, "\n")
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("environment differences %q lack %q", c.EnvironmentDifferences, w)
				}
			}
		})
	}
}
