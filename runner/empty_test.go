package runner

import (
	"strings"
	"testing"
	"time"
)

// TestNoMeasuredOperationFails: a run whose every operation hung (no
// timeout) and was cut off at the end of the grace period measured
// nothing: it fails on the implicit threshold "operations > 0", even with
// no threshold in the scenario, and the note says why.
func TestNoMeasuredOperationFails(t *testing.T) {
	t.Parallel()
	sc := quick(t, "{rate: 20/s, duration: 200ms}", "[fanout]")
	sc.Upstreams[0].Mock.Faults.Hang = 1
	res, err := Run(t.Context(), sc, Options{Version: "test", Grace: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	s := strategyByName(t, res, "fanout")
	if s.Operations != 0 || s.Interrupted == 0 {
		t.Fatalf("fanout: %d operations, %d cut off; want 0 and some", s.Operations, s.Interrupted)
	}
	if len(res.Thresholds) != 1 || res.FailedThresholds() != 1 {
		t.Fatalf("thresholds %+v, want one that failed", res.Thresholds)
	}
	th := res.Thresholds[0]
	if th.Threshold != NoOperation || !strings.Contains(th.Note, "cut off when the grace period ran out (do the calls have a timeout?)") {
		t.Errorf("threshold %+v", th)
	}
}
