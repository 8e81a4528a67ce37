package reports

import (
	"slices"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

// The verdict crowns a clear win, calls a tie a tie, judges an async
// strategy by its deliveries, and never crowns a saturated or failing
// strategy.
func TestDecide(t *testing.T) {
	t.Parallel()
	want := map[string]struct {
		winner string
		says   []string
	}{
		"clear-win": {"fanout", []string{"fanout wins: 1.67× faster than sequential at p50 (300.0 vs 500.0 ms) and 1.66× at p99, with the same error rate and requests per operation."}},
		"tie":       {"", []string{"No clear winner: fanout and hedged tie for the lead at p50 (300.0 vs 302.0 ms).", "hedged is 1.66× faster than sequential"}},
		"async-failing-deliveries": {"fanout", []string{"fanout wins",
			"queued delivers 1.61× faster than sequential at p50 (310.0 vs 500.0 ms) but 1.79× slower at p99 (900.0 vs 502.0 ms) (its caller waits 0.070 ms for the ack); errors 20.0% vs 0.1%"}},
		"saturated-pool": {"fanout", []string{"fanout wins", "pooled is 5.80× slower than sequential", "not crowned"}},
	}
	for _, c := range verdictCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			v := Decide(c.res)
			w := want[c.name]
			if v.Winner != w.winner {
				t.Errorf("Winner = %q, want %q\n%s", v.Winner, w.winner, strings.Join(v.Lines, "\n"))
			}
			all := strings.Join(v.Lines, "\n")
			for _, s := range w.says {
				if !strings.Contains(all, s) {
					t.Errorf("verdict lacks %q:\n%s", s, all)
				}
			}
		})
	}
}

func TestConcerns(t *testing.T) {
	t.Parallel()
	for _, c := range verdictCases() {
		got := Concerns(c.res)
		var names []string
		for _, x := range got {
			names = append(names, x.Strategy+": "+x.What)
		}
		if c.name == "saturated-pool" {
			if len(got) < 2 || !strings.Contains(strings.Join(names, "\n"), "could not keep up: 315 operations completed of 500 started") ||
				!strings.Contains(strings.Join(names, "\n"), "the pool was 99% busy (8 workers)") {
				t.Errorf("saturated pool: concerns %q", names)
			}
			continue
		}
		if len(got) > 0 {
			t.Errorf("%s: concerns %q, want none", c.name, names)
		}
	}
}

// The verdict judges asynchronous calls by their completion: the webhooks
// run's figures are the operation latency (to the completion), so 202s made
// a thousand times faster change nothing, and the basis says so.
func TestDecideJudgesCompletion(t *testing.T) {
	t.Parallel()
	r := testResults(t)["webhooks"]
	before := Decide(r)
	for i := range r.Strategies {
		for j := range r.Strategies[i].Upstreams {
			if a := r.Strategies[i].Upstreams[j].Accepted; a != nil {
				fast := *a
				fast.P50, fast.P99 = a.P50/1000, a.P99/1000
				r.Strategies[i].Upstreams[j].Accepted = &fast
			}
		}
	}
	after := Decide(r)
	if strings.Join(after.Lines, "\n") != strings.Join(before.Lines, "\n") || after.Winner != before.Winner {
		t.Errorf("faster 202s changed the verdict:\nbefore %q\n after %q", before.Lines, after.Lines)
	}
	if !strings.Contains(after.Basis, "latency to completion") {
		t.Errorf("Basis = %q; want it to say the completion is judged", after.Basis)
	}
	if !strings.Contains(strings.Join(after.Lines, "\n"), "fanout is 1.79× faster than sequential at p50 (400.9 vs 718.3 ms)") {
		t.Errorf("verdict %q; want fanout and sequential compared by their completions", after.Lines)
	}
	if b := Decide(testResults(t)["checkout"]).Basis; strings.Contains(b, "completion") {
		t.Errorf("a run without asynchronous calls has the completion basis: %q", b)
	}
}

// An upstream whose calls waited for a connection at its max_conns, more
// than now and then, is a concern: the cap set the pace, not the strategy.
func TestConcernOfMaxConns(t *testing.T) {
	t.Parallel()
	up := func(name string, calls, waited uint64) metrics.UpstreamResult {
		u := metrics.UpstreamResult{Name: name, Calls: calls, ConnWaited: waited}
		if waited > 0 {
			u.ConnWait = &metrics.Summary{Count: int64(calls), P99: 120}
		}
		return u
	}
	s := metrics.StrategyResult{Name: "fanout", Operations: 100,
		Upstreams: []metrics.UpstreamResult{up("a", 100, 50), up("b", 100, 3), up("c", 100, 0)}}
	got := concerns(s)
	if len(got) != 1 || got[0].What != "50.0% of calls to a waited for a connection at its max_conns (p99 120.0 ms): the cap set the pace" {
		t.Errorf("concerns %q, want one, of upstream a", got)
	}
	want := []string{"fanout · a: 50 of 100 calls (50.0%) waited for a connection (max_conns), p50 0.0 ms, p99 120.0 ms",
		"fanout · b: 3 of 100 calls (3.0%) waited for a connection (max_conns), p50 0.0 ms, p99 120.0 ms"}
	if got := ConnWaits([]metrics.StrategyResult{s}); !slices.Equal(got, want) {
		t.Errorf("ConnWaits = %q, want %q", got, want)
	}
}
