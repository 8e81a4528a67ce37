package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/scenarios"
)

// quick parses a scenario of one mock answering in 1 ms, with the given
// load and strategies.
func quick(t *testing.T, load, strategies string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse("quick.yaml", []byte(`name: quick
upstreams: {api: {mock: {latency: 1ms}}}
operation: {calls: [{upstream: api, path: /}]}
strategies: `+strategies+`
load: `+load+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestRunEndsAtDurationPlusGrace: a rate no machine can drive ends at the
// load's duration plus the grace period, not hours later when the last
// operation of the schedule has started; what it could not start is
// counted as dropped, with a warning that says so.
func TestRunEndsAtDurationPlusGrace(t *testing.T) {
	t.Parallel()
	sc := quick(t, "{rate: 1000000000/s, duration: 200ms}", "[fanout]")
	began := time.Now()
	res, err := Run(t.Context(), sc, Options{Version: "test", Grace: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took > 10*time.Second {
		t.Errorf("the run took %v, want about 400ms", took)
	}
	s := strategyByName(t, res, "fanout")
	if s.NotStarted == 0 || s.Dropped < s.NotStarted || s.Operations+s.Dropped+s.Interrupted > 200_000_000 {
		t.Errorf("fanout: %d operations, %d dropped of which %d not started; want most of the 200000000 not started",
			s.Operations, s.Dropped, s.NotStarted)
	}
	if !strings.Contains(strings.Join(res.Warnings, "\n"), "fanout: the generator could not start") {
		t.Errorf("no warning says so: %q", res.Warnings)
	}
}

// TestThroughputCountsTheScheduleLength: 4 operations in a load of 350 ms
// (at 0, 100, 200 and 300 ms) are 11.4 a second, not the 13.3 a second of
// the 300 ms from the first start to the last.
func TestThroughputCountsTheScheduleLength(t *testing.T) {
	t.Parallel()
	res, err := Run(t.Context(), quick(t, "{rate: 10/s, duration: 350ms}", "[sequential]"), Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	s := strategyByName(t, res, "sequential")
	if s.Operations != 4 || s.DurationS < 0.350 || s.Throughput > 4/0.350 {
		t.Errorf("4 operations over 350 ms: %d operations in %.3f s, throughput %.2f/s; want 4 in at least 0.350 s, at most %.2f/s",
			s.Operations, s.DurationS, s.Throughput, 4/0.350)
	}
}
