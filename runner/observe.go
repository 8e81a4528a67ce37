package runner

import (
	"time"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/scenarios"
)

// Observer follows a run as it goes, for a progress display. The runner
// calls its methods one at a time, never concurrently, in this order for
// each strategy: StrategyStarted, Tick about once a second while the
// strategy runs, then StrategyEnded, also when the strategy failed to run.
// Methods should return quickly: Tick runs beside the load.
type Observer interface {
	StrategyStarted(StrategyStart)
	Tick(Snapshot)
	StrategyEnded(StrategyEnd)
}

// StrategyStart describes a strategy about to run.
type StrategyStart struct {
	// Name is the strategy's title (its label, or its name).
	Name string
	// Index counts strategies from 0, of Total in the scenario.
	Index, Total int
	// Load describes the load in a few words ("open, 50/s for 30s").
	Load string
	// Duration is the planned length of the load, warm-up included; 0
	// when only a count of operations ends it.
	Duration time.Duration
	// Operations is the count of measured operations that ends the load,
	// or 0.
	Operations uint64
}

// Snapshot is what the running strategy's per-second windows say so far.
// The window is the last whole second, read half a second after it ended,
// once the workers have handed it over (metrics.Windows.Live): at a very
// low rate it may still lack operations an idle worker holds.
type Snapshot struct {
	// Elapsed is the time since the strategy's load began.
	Elapsed time.Duration
	// Window is the last whole second; AtS is -1 before the first one.
	Window metrics.Window
	// Completed counts the measured operations completed in the seconds
	// handed over so far; NotOK those of them partial or failed.
	Completed, NotOK uint64
}

// Rate returns the operations completed per second in the window.
func (s Snapshot) Rate() float64 { return float64(s.Window.Completed) }

// ErrorRate returns the share of the window's operations that were not ok.
func (s Snapshot) ErrorRate() float64 {
	if s.Window.Completed == 0 {
		return 0
	}
	return float64(s.Window.Partial+s.Window.Failed) / float64(s.Window.Completed)
}

// StrategyEnd says how a strategy ended.
type StrategyEnd struct {
	Name  string
	Index int
	// Result is what the strategy measured; nil when Err is set.
	Result *metrics.StrategyResult
	// Interrupted is true when the run was stopped during the strategy.
	Interrupted bool
	// Err is why the strategy could not be run.
	Err error
}

// defaultTickEvery is how often the observer is told how the run goes.
const defaultTickEvery = time.Second

// strategyStart describes spec's run for an Observer.
func strategyStart(sc *scenarios.Scenario, spec scenarios.Strategy, i int) StrategyStart {
	return StrategyStart{Name: spec.Title(), Index: i, Total: len(sc.Strategies), Load: sc.Load.String(),
		Duration: sc.Load.Length(), Operations: sc.Load.Operations}
}

// ticks calls an Observer's Tick from its own goroutine while a strategy
// runs. It reads the shared windows only (under their lock, once a tick):
// the workers do nothing for it.
type ticks struct{ loop *periodic }

// startTicks ticks obs every interval from began, half an interval past
// each whole one, so the second just ended has been handed over by the
// workers busy since; nil when obs is nil.
func startTicks(obs Observer, ws *metrics.Windows, failureNames []string, began time.Time, every time.Duration) *ticks {
	if obs == nil || ws == nil {
		return nil
	}
	if every <= 0 {
		every = defaultTickEvery
	}
	var k time.Duration // the tick to come is the k-th
	wait := func() time.Duration {
		k++
		next := began.Add(k*every + every/2)
		if late := time.Since(next); late > every { // a slow observer: skip the ticks missed
			k += late / every
			next = began.Add(k*every + every/2)
		}
		return time.Until(next)
	}
	tick := func(time.Time) {
		elapsed := time.Since(began)
		sec := int64(elapsed/time.Second) - 1
		w, completed, notOK := ws.Live(sec, failureNames)
		obs.Tick(Snapshot{Elapsed: elapsed, Window: w, Completed: completed, NotOK: notOK})
	}
	return &ticks{loop: startPeriodic(wait, tick)}
}

// stop ends the ticks and waits for the last one to return; nil-safe,
// idempotent.
func (t *ticks) stop() {
	if t != nil {
		t.loop.stop()
	}
}
