package runner

import (
	"testing"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
)

// checkoutYAML: a critical payment (refunded when the operation fails after
// it), then a critical stock reservation, then a non-critical email. The
// latencies are far apart (1, 100 and 300 ms: a loaded 2-core VM delays
// timers by milliseconds, not by a hundred) so that under fanout the
// payment has always answered when the stock call fails, and the email
// never has.
const checkoutYAML = `
name: checkout
seed: 11
upstreams:
  payment: {mock: {latency: 1ms, errors: {503: 20%}}}
  stock:   {mock: {latency: 100ms, errors: {409: 30%}}}
  email:   {mock: {latency: 300ms}}
  refund:  {mock: {latency: 1ms, errors: {500: 25%}}}
operation:
  calls:
    - {upstream: payment, method: POST, path: "/pay/{{.Seq}}", critical: true, compensate: {upstream: refund, path: "/refund/{{.Seq}}"}}
    - {upstream: stock, method: POST, path: /reserve, critical: true}
    - {upstream: email, method: POST, path: /send}
strategies:
  - {name: sequential, stop_on_critical_failure: true}
  - {name: fanout, fail_fast: true}
load: {rate: 100/s, duration: 1s, max_in_flight: 200}
`

// TestStopFailFastAndCompensationFollowTheDraws predicts, operation by
// operation from the paired draws, what stop_on_critical_failure skips,
// what fail_fast wastes and what is compensated, and checks the run counted
// exactly that.
func TestStopFailFastAndCompensationFollowTheDraws(t *testing.T) {
	t.Parallel()
	sc, err := scenarios.Parse("checkout.yaml", []byte(checkoutYAML))
	if err != nil {
		t.Fatal(err)
	}
	drawer := func(name string) mockupstream.Drawer {
		up, _ := sc.Upstreams.Find(name)
		b, err := mockupstream.Compile(*up.Mock)
		if err != nil {
			t.Fatal(err)
		}
		return mockupstream.NewDrawer(sc.Seed, name, b)
	}
	pay, stock, refund := drawer("payment"), drawer("stock"), drawer("refund")
	var skipped, wasted, compSent, compFailed uint64
	var outcomes metrics.Outcomes
	for seq := range uint64(100) {
		payOK := pay.Draw(seq, 0).Status == 200
		stockOK := stock.Draw(seq, 0).Status == 200
		switch {
		case !payOK:
			skipped += 2 // stock and email
			wasted += 2  // fanout: stock and email cancelled
			outcomes.Failed++
		case !stockOK:
			skipped++ // email
			wasted++
			compSent++
			if refund.Draw(seq, 0).Status != 200 {
				compFailed++
			}
			outcomes.Failed++
		default:
			outcomes.OK++
		}
	}
	if compSent == 0 || compFailed == 0 || skipped == 0 {
		t.Fatalf("the draws predict %d compensations (%d failed), %d skipped; the test needs some of each", compSent, compFailed, skipped)
	}
	res, err := Run(t.Context(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Sequential is exact: its order is the scenario's. Fanout's counts
	// depend on which answer comes first; the latencies make the order
	// certain on any sane machine, and slack of 3 operations keeps a
	// scheduler stall of 100 ms from failing the test.
	const slack = 3
	near := func(got, want uint64) bool { return got+slack >= want && got <= want+slack }
	for _, s := range res.Strategies {
		if s.Operations != 100 {
			t.Fatalf("%s: %d operations, want 100", s.Name, s.Operations)
		}
		if s.Outcomes != outcomes {
			t.Errorf("%s: outcomes %+v, want the draws' %+v", s.Name, s.Outcomes, outcomes)
		}
		c := s.Compensations
		switch {
		case c == nil:
			t.Errorf("%s: no compensations, want %d sent, %d failed", s.Name, compSent, compFailed)
		case s.Strategy == "sequential" && (c.Sent != compSent || c.Failed != compFailed),
			!near(c.Sent, compSent) || !near(c.Failed, compFailed):
			t.Errorf("%s: compensations %+v, want %d sent, %d failed", s.Name, c, compSent, compFailed)
		}
		var gotSkipped, gotCanceled uint64
		for _, u := range s.Upstreams {
			gotSkipped += u.Statuses["skipped"]
			gotCanceled += u.Statuses["canceled"]
			// The compensations are calls to the refund upstream, counted there.
			if u.Name == "refund" && c != nil && (u.Calls != c.Sent || u.Statuses["500"] != c.Failed) {
				t.Errorf("%s: refund upstream has %d calls, statuses %v; want the %d compensations, %d failed", s.Name, u.Calls, u.Statuses, c.Sent, c.Failed)
			}
		}
		// Requests: every call made, plus the compensations.
		minimum := uint64(300)
		switch s.Strategy {
		case "sequential":
			if gotSkipped != skipped {
				t.Errorf("sequential: %d calls skipped, want %d", gotSkipped, skipped)
			}
			if want := minimum - skipped + compSent; s.Amplification.Requests != want {
				t.Errorf("sequential: %d requests, want %d", s.Amplification.Requests, want)
			}
			if s.WastedCalls != 0 {
				t.Errorf("sequential: %d wasted calls, want 0: it stops", s.WastedCalls)
			}
		case "fanout":
			if !near(s.WastedCalls, wasted) || !near(gotCanceled, wasted) {
				t.Errorf("fanout: %d wasted, %d cancelled calls; want %d of each", s.WastedCalls, gotCanceled, wasted)
			}
			if want := minimum + compSent; !near(s.Amplification.Requests, want) {
				t.Errorf("fanout: %d requests, want %d (every call is sent before it is cancelled)", s.Amplification.Requests, want)
			}
		}
		if s.Amplification.Minimum != minimum {
			t.Errorf("%s: minimum %d requests, want %d", s.Name, s.Amplification.Minimum, minimum)
		}
	}
}
