package htmlreport

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

// The upstreams section gains a breakdown table when the run traced its
// requests, and none otherwise.
func TestUpstreamSectionShowsTheBreakdown(t *testing.T) {
	t.Parallel()
	r := seed(t)
	var before bytes.Buffer
	if err := Write(&before, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(before.String(), "Where the time went") {
		t.Error("a breakdown table without a breakdown")
	}
	r.Strategies[0].Upstreams[0].Breakdown = &metrics.Breakdown{NewConnections: 2, ReusedConnections: 98,
		TLS: &metrics.Summary{Count: 2, P50: 31.25, P99: 33}, TTFB: &metrics.Summary{Count: 100, P50: 200.5, P99: 204}}
	var after bytes.Buffer
	if err := Write(&after, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Where the time went", "reused connections", "31.2 / 33.0", "200.5 / 204.0"} {
		if !strings.Contains(after.String(), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}
