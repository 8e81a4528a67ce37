package runner

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/units"
)

// recordingObserver notes what it is told, and whether two calls overlapped.
type recordingObserver struct {
	busy    atomic.Bool
	overlap atomic.Bool
	mu      sync.Mutex // guards the rest, for the reader after Run
	events  []string
	starts  []StrategyStart
	ticks   [][]Snapshot // by strategy
	ends    []StrategyEnd
}

func (o *recordingObserver) enter() func() {
	if !o.busy.CompareAndSwap(false, true) {
		o.overlap.Store(true)
	}
	o.mu.Lock()
	return func() { o.mu.Unlock(); o.busy.Store(false) }
}

func (o *recordingObserver) StrategyStarted(s StrategyStart) {
	defer o.enter()()
	o.events = append(o.events, fmt.Sprintf("start %d", s.Index))
	o.starts = append(o.starts, s)
	o.ticks = append(o.ticks, nil)
}

func (o *recordingObserver) Tick(s Snapshot) {
	defer o.enter()()
	if len(o.events) == 0 || o.events[len(o.events)-1] != "tick" {
		o.events = append(o.events, "tick")
	}
	o.ticks[len(o.ticks)-1] = append(o.ticks[len(o.ticks)-1], s)
}

func (o *recordingObserver) StrategyEnded(e StrategyEnd) {
	defer o.enter()()
	o.events = append(o.events, fmt.Sprintf("end %d", e.Index))
	o.ends = append(o.ends, e)
}

func quickScenario(duration time.Duration, strategies ...string) *scenarios.Scenario {
	sc := &scenarios.Scenario{
		Name: "observed",
		Seed: 3,
		Upstreams: scenarios.Upstreams{
			{Name: "a", Mock: &mockupstream.Config{Errors: map[int]units.Fraction{503: 0.2}}},
		},
		Operation: scenarios.Operation{Calls: []scenarios.Call{{Upstream: "a", Method: "GET", Path: "/x"}}},
		Load:      scenarios.LoadSpec{Model: "open", Rate: 100, Duration: units.Duration(duration), MaxInFlight: 20},
	}
	for _, s := range strategies {
		sc.Strategies = append(sc.Strategies, scenarios.Strategy{Name: s})
	}
	return sc
}

// Each strategy is started, ticked while it runs, and ended, one call at a
// time; the ticks read the per-second windows the workers hand over.
func TestObserverFollowsEachStrategy(t *testing.T) {
	t.Parallel()
	sc := quickScenario(1300*time.Millisecond, "sequential", "fanout")
	obs := &recordingObserver{}
	res, err := Run(t.Context(), sc, Options{Observer: obs, tickEvery: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if obs.overlap.Load() {
		t.Error("two Observer calls overlapped")
	}
	want := []string{"start 0", "tick", "end 0", "start 1", "tick", "end 1"}
	if fmt.Sprint(obs.events) != fmt.Sprint(want) {
		t.Fatalf("events = %v, want %v", obs.events, want)
	}
	for i, s := range obs.starts {
		if s.Name != sc.Strategies[i].Name || s.Total != 2 || s.Duration != 1300*time.Millisecond || s.Load == "" {
			t.Errorf("start %d = %+v; want %s of 2, 1.3s, with its load described", i, s, sc.Strategies[i].Name)
		}
	}
	for i, e := range obs.ends {
		if e.Err != nil || e.Interrupted || e.Result == nil || e.Result.Operations != res.Strategies[i].Operations {
			t.Errorf("end %d = %+v; want the strategy's result, not interrupted", i, e)
		}
	}
	for i, ticks := range obs.ticks {
		var sawSecond0 bool
		var last Snapshot
		for _, s := range ticks {
			if s.Elapsed < last.Elapsed || s.Completed < last.Completed {
				t.Errorf("strategy %d: tick %+v went back from %+v", i, s, last)
			}
			if s.Elapsed < time.Second && s.Window.AtS != -1 {
				t.Errorf("strategy %d: tick at %v reads window %d; before 1s there is no whole second", i, s.Elapsed, s.Window.AtS)
			}
			// Second 0 at 100/s: about 100 operations, read by the ticks
			// after 1s (wide bounds: workers may hold a few).
			if s.Window.AtS == 0 && s.Window.Completed > 50 && s.Window.Completed <= 101 && s.Rate() == float64(s.Window.Completed) {
				sawSecond0 = true
				if s.ErrorRate() <= 0 || s.ErrorRate() >= 0.5 || s.Window.P99 <= 0 {
					t.Errorf("strategy %d: second 0 error rate %.2f, p99 %.2f ms; want about 0.2 and above 0", i, s.ErrorRate(), s.Window.P99)
				}
			}
			last = s
		}
		if !sawSecond0 {
			t.Errorf("strategy %d: no tick showed second 0 with its operations; ticks: %+v", i, ticks)
		}
		if last.Completed > res.Strategies[i].Operations {
			t.Errorf("strategy %d: ticks counted %d completed, more than the %d measured", i, last.Completed, res.Strategies[i].Operations)
		}
	}
}

// A stopped run ends its strategy as interrupted, with what it measured; a
// strategy that cannot run ends with its error. Either way every started
// strategy is ended, so a display can close its bars.
func TestObserverSeesInterruptionAndErrors(t *testing.T) {
	t.Parallel()
	t.Run("interrupted", func(t *testing.T) {
		t.Parallel()
		sc := quickScenario(time.Hour, "fanout", "sequential")
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(300*time.Millisecond, cancel)
		obs := &recordingObserver{}
		if _, err := Run(ctx, sc, Options{Observer: obs, Grace: 5 * time.Second, tickEvery: 50 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		if len(obs.starts) != 1 || len(obs.ends) != 1 || !obs.ends[0].Interrupted || obs.ends[0].Result == nil {
			t.Fatalf("events %v, ends %+v; want one strategy started and ended interrupted with a result", obs.events, obs.ends)
		}
	})
	t.Run("error", func(t *testing.T) {
		t.Parallel()
		sc := quickScenario(time.Second, "fanout")
		sc.Operation.Calls[0].Upstream = "nowhere" // not validated: buildCalls refuses it
		obs := &recordingObserver{}
		if _, err := Run(t.Context(), sc, Options{Observer: obs}); err == nil {
			t.Fatal("Run with an unknown upstream succeeded")
		}
		if fmt.Sprint(obs.events) != "[start 0 end 0]" || obs.ends[0].Err == nil || obs.ends[0].Result != nil {
			t.Fatalf("events %v, ends %+v; want start and end with the error, no result", obs.events, obs.ends)
		}
	})
}

func TestSnapshotRates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		w                 metrics.Window
		wantRate, wantErr float64
	}{
		{metrics.Window{AtS: -1}, 0, 0},
		{metrics.Window{Completed: 200, Partial: 10, Failed: 40}, 200, 0.25},
		{metrics.Window{Completed: 3}, 3, 0},
	}
	for _, tt := range tests {
		s := Snapshot{Window: tt.w}
		if s.Rate() != tt.wantRate || s.ErrorRate() != tt.wantErr {
			t.Errorf("Snapshot{%+v}: Rate %v, ErrorRate %v; want %v, %v", tt.w, s.Rate(), s.ErrorRate(), tt.wantRate, tt.wantErr)
		}
	}
}
