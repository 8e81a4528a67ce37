package htmlreport

import (
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

// A distributed run gets an agents section, a row per agent with its
// share and status, and says how many operations were lost with them; a
// run in one process gets none.
func TestWriteListsTheAgents(t *testing.T) {
	t.Parallel()
	r := everything(t)
	r.Agents = []metrics.Agent{
		{Name: "load-1", Host: "10.0.0.11", Segment: "0:1/2", Status: "finished", Operations: 600, ClockOffsetMS: 0.25, ClockRTTMS: 0.1},
		{Name: "load-<2>", Segment: "1/2:1", Status: "lost", Operations: 210, Lost: 390},
	}
	page := renderPage(t, r)
	if !strings.Contains(page, `<section id="agents"`) {
		t.Fatal("no agents section")
	}
	for _, want := range []string{"load-1 (10.0.0.11)", "1/2:1", "390 operations of lost or stopped agents", "0.25 ± 0.05", "load-&lt;2&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(renderPage(t, everything(t)), `<section id="agents"`) {
		t.Error("a run in one process has an agents section")
	}
}
