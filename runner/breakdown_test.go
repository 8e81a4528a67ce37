package runner

import (
	"testing"
	"time"
)

// With Breakdown, mock upstreams get the same breakdown as real ones:
// connections opened then reused, a connect each, no lookup (an IP
// address) and no handshake (plain HTTP), a first byte and a body per
// call. Without it, none.
func TestBreakdownOfMockUpstreams(t *testing.T) {
	t.Parallel()
	sc := quickScenario(600*time.Millisecond, "fanout")
	for _, on := range []bool{true, false} {
		res, err := Run(t.Context(), sc, Options{Breakdown: on})
		if err != nil {
			t.Fatal(err)
		}
		u := res.Strategies[0].Upstreams[0]
		b := u.Breakdown
		if !on {
			if b != nil {
				t.Errorf("a breakdown without Options.Breakdown: %+v", b)
			}
			continue
		}
		if b == nil {
			t.Fatal("no breakdown")
		}
		if b.NewConnections == 0 || b.NewConnections+b.ReusedConnections != u.Calls || b.ReusedConnections == 0 {
			t.Errorf("%d new and %d reused connections for %d calls", b.NewConnections, b.ReusedConnections, u.Calls)
		}
		if b.DNS != nil || b.TLS != nil || b.Connect == nil || b.Connect.Count != int64(b.NewConnections) {
			t.Errorf("setup of loopback HTTP: DNS %v, TLS %v, connect %+v", b.DNS, b.TLS, b.Connect)
		}
		if b.TTFB == nil || uint64(b.TTFB.Count) != u.Calls || b.Body == nil {
			t.Errorf("TTFB %+v, body %+v for %d calls", b.TTFB, b.Body, u.Calls)
		}
		if res.Strategies[0].Histograms["ttfb:a"] == "" {
			t.Error("no ttfb:a histogram in the result")
		}
	}
}
