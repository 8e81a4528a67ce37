package runner

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/units"
)

// recordingExporter keeps what it is given, and whether two calls overlapped.
type recordingExporter struct {
	busy, overlap atomic.Bool
	mu            sync.Mutex
	snaps         []LiveSnapshot
}

func (e *recordingExporter) Export(s LiveSnapshot) {
	if !e.busy.CompareAndSwap(false, true) {
		e.overlap.Store(true)
	}
	defer e.busy.Store(false)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.snaps = append(e.snaps, s)
}

// Exporters get a snapshot every second of each strategy and a final one
// whose counts are the result's, exactly.
func TestExportersSeeEachStrategyLive(t *testing.T) {
	t.Parallel()
	sc := quickScenario(1500*time.Millisecond, "sequential", "pooled")
	sc.Strategies[1] = scenarios.Strategy{Name: "pooled", Label: "pool"}
	sc.Load.Warmup = units.Duration(200 * time.Millisecond)
	exp := &recordingExporter{}
	res, err := Run(t.Context(), sc, Options{Exporters: []Exporter{exp}})
	if err != nil {
		t.Fatal(err)
	}
	if exp.overlap.Load() {
		t.Error("two Export calls overlapped")
	}
	for i, sr := range res.Strategies {
		var ticks, finals []LiveSnapshot
		for _, s := range exp.snaps {
			switch {
			case s.Strategy != sr.Name:
			case s.Final:
				finals = append(finals, s)
			default:
				ticks = append(ticks, s)
			}
		}
		if len(ticks) == 0 || len(finals) != 1 {
			t.Fatalf("%s: %d snapshots during the run and %d final ones, want at least 1 and 1", sr.Name, len(ticks), len(finals))
		}
		f := finals[0]
		if f.Scenario != "observed" || len(f.Upstreams) != 1 || f.Upstreams[0].Name != "a" || f.Upstreams[0].URL != "" {
			t.Errorf("%s: final snapshot describes %q, upstreams %+v", sr.Name, f.Scenario, f.Upstreams)
		}
		enc, _ := f.Counts.Latency.Histogram().Encode()
		if enc != sr.Histograms["latency"] || uint64(f.Counts.Latency.Total()) != sr.Operations {
			t.Errorf("%s: the final live latency (%d values) differs from the result's (%d operations)", sr.Name, f.Counts.Latency.Total(), sr.Operations)
		}
		if f.Counts.Outcomes != sr.Outcomes {
			t.Errorf("%s: live outcomes %+v, result %+v", sr.Name, f.Counts.Outcomes, sr.Outcomes)
		}
		up := f.Counts.Upstreams[0]
		if up.Calls != sr.Upstreams[0].Calls || up.Statuses[503] != sr.Upstreams[0].Statuses["503"] {
			t.Errorf("%s: live calls %d (503×%d), result %d (%v)", sr.Name, up.Calls, up.Statuses[503], sr.Upstreams[0].Calls, sr.Upstreams[0].Statuses)
		}
		if f.HasBacklog != (i == 1) {
			t.Errorf("%s: HasBacklog %v; only the pool has a queue", sr.Name, f.HasBacklog)
		}
		for _, s := range ticks {
			if s.Counts.Latency.Total() > f.Counts.Latency.Total() || s.InFlight < 0 || s.InFlight > sc.Load.MaxInFlight {
				t.Errorf("%s: a snapshot during the run holds %d values (final %d), %d in flight",
					sr.Name, s.Counts.Latency.Total(), f.Counts.Latency.Total(), s.InFlight)
			}
		}
	}
}
