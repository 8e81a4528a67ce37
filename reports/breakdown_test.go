package reports

import (
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

// --wide shows the breakdown of a run that traced its requests, and no
// such table otherwise.
func TestWideTableShowsTheBreakdown(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	var plain strings.Builder
	if err := Table(&plain, r, TableOptions{Wide: true, Width: 200}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "first byte") {
		t.Error("a breakdown table without a breakdown")
	}
	r.Strategies[1].Upstreams[0].Breakdown = &metrics.Breakdown{NewConnections: 3, ReusedConnections: 197,
		Connect: &metrics.Summary{Count: 3, P50: 0.21, P99: 0.4}, TLS: &metrics.Summary{Count: 3, P50: 31.2, P99: 33},
		TTFB: &metrics.Summary{Count: 200, P50: 300.2, P99: 301.5}, Body: &metrics.Summary{Count: 200, P50: 0.05, P99: 0.1}}
	var wide strings.Builder
	if err := Table(&wide, r, TableOptions{Wide: true, Width: 200}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"first byte p50/p99", "where the time went", "│ fanout   │ profile  │     3 │    197 │           – │   0.210 / 0.400 │ 31.2 / 33.0 │      300.2 / 301.5 │"} {
		if !strings.Contains(wide.String(), want) {
			t.Errorf("the wide table lacks %q:\n%s", want, wide.String())
		}
	}
}
