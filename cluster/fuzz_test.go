package cluster

import (
	"testing"
	"time"

	"github.com/fanbench/fanbench/loadgen"
	"github.com/fanbench/fanbench/metrics"
)

// FuzzReport: whatever arrives on a run's report subjects or keys (a
// corrupt or hostile message) is taken or dropped, never a panic, and
// what was taken summarizes.
func FuzzReport(f *testing.F) {
	snap, _ := pack(Snapshot{K: 1, Outcomes: metrics.Outcomes{OK: 3, Failed: 1}, Upstreams: []upstreamSnapshot{{Name: "a", Statuses: map[int]uint64{200: 3}}}})
	final, _ := pack(finalMsg{Segment: 1})
	done, _ := pack(doneMsg{Segment: 1, Err: "x"})
	f.Add("snap", snap)
	f.Add("final", final)
	f.Add("done", done)
	f.Add("snap", []byte("not gzip"))
	f.Fuzz(func(t *testing.T, kind string, data []byte) {
		c := &coord{plan: Plan{Strategies: []string{"fanout"}, Segments: []string{"0:1/2", "1/2:1"}},
			segs: []loadgen.Segment{loadgen.Share(0, 2), loadgen.Share(1, 2)}, infos: map[int]AgentInfo{},
			ready: map[[2]int]bool{}, finals: map[[2]int]*metrics.StrategyResult{}, tallies: map[[2]int]*tally{},
			done: map[int]*doneMsg{}, lost: map[int]time.Time{}, started: []bool{true}}
		c.handleReport("fanbench.run.report."+kind+".1", data)
		c.handleKey("claimed.1", data)
		c.handleKey("ready.0.1", data)
		for _, tl := range c.tallies {
			if _, err := tl.result("fanout", "fanout"); err != nil {
				t.Fatal(err)
			}
		}
	})
}
