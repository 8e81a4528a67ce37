package runner

import (
	"context"
	"testing"
	"time"

	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/units"
)

// TestWebhooksExampleEndToEnd runs the webhooks example, shortened: every
// payment completes by a signed callback through the run's receiver,
// every e-mail by polls, and the result records the 202s beside.
func TestWebhooksExampleEndToEnd(t *testing.T) {
	t.Parallel()
	sc, err := scenarios.Example("webhooks")
	if err != nil {
		t.Fatal(err)
	}
	sc.Strategies = sc.Strategies[1:2] // fanout
	sc.Load.Duration = units.Duration(time.Second)
	sc.Load.Rate = units.Rate(20)
	res, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sr := res.Strategies[0]
	cb := sr.Callbacks
	if cb == nil || cb.Completed+cb.Lost < 20 || cb.Received != cb.Completed+cb.Duplicates+cb.Unmatched {
		t.Fatalf("callbacks %+v; want every payment completed or lost", cb)
	}
	for _, u := range sr.Upstreams {
		if u.Accepted == nil || u.Accepted.P50 >= u.Latency.P50 {
			t.Errorf("%s: accepted %+v, latency p50 %.1f ms; want the 202s faster than the completions", u.Name, u.Accepted, u.Latency.P50)
		}
	}
	if email := sr.Upstreams[1]; email.Polls == 0 || sr.Amplification.Requests != sr.Upstreams[0].Attempts+email.Attempts+email.Polls {
		t.Errorf("email polls %d, amplification %+v; want the polls counted", email.Polls, sr.Amplification)
	}
}
