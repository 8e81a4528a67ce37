package runner

import (
	"testing"
	"time"
)

// load.repeats runs every strategy once per round; the result holds all
// rounds together and each round's headline figures, every round drawing
// from the same seed. Rounds of 10 operations, 100 ms each, on a mock that
// answers at once: what is checked is counts, not latencies.
func TestRepeatsRunEachStrategyPerRound(t *testing.T) {
	t.Parallel()
	sc := quickScenario(100*time.Millisecond, "sequential", "fanout")
	sc.Load.Repeats = 3
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), sc, Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Strategies) != 2 {
		t.Fatalf("%d strategies, want 2 (rounds combined, not listed)", len(res.Strategies))
	}
	for _, s := range res.Strategies {
		if len(s.Repeats) != 3 {
			t.Fatalf("%s: %d repeats, want 3", s.Name, len(s.Repeats))
		}
		var sum uint64
		for _, r := range s.Repeats {
			sum += r.Operations
			if r.Seed != sc.Seed || r.Operations != 10 {
				t.Errorf("%s: a round ran %d operations with seed %d; want 10 with %d", s.Name, r.Operations, r.Seed, sc.Seed)
			}
		}
		if s.Operations != sum || s.Latency.Count != int64(sum) {
			t.Errorf("%s: %d operations (%d in the latency histogram), want the rounds' %d", s.Name, s.Operations, s.Latency.Count, sum)
		}
	}
}
