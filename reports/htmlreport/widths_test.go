package htmlreport

import (
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

// A width sweep gets its section: each strategy's measured p99 against the
// width, its prediction dashed beside it where there is one, and a row per
// width with the measured-to-predicted ratio.
func TestWriteDrawsWidthSweep(t *testing.T) {
	t.Parallel()
	r := everything(t)
	r.Strategies[0].Widths = &metrics.WidthSweep{Upstream: "leaf", DetailsAt: 20, Steps: []metrics.WidthStep{
		{Width: 1, Operations: 100, P50: 10, P99: 40, P999: 45, RequestsPerOp: 1,
			Predicted: &metrics.Predicted{Waits: 1, P50: 10, P99: 40, P999: 45}},
		{Width: 20, Operations: 100, P50: 30, P99: 90, P999: 99, RequestsPerOp: 20, GivenUpCalls: 3,
			Predicted: &metrics.Predicted{Waits: 20, P50: 25, P99: 45, P999: 50}},
	}}
	// A strategy without a prediction (sequential) draws only what it measured.
	r.Strategies[1].Widths = &metrics.WidthSweep{Upstream: "leaf", DetailsAt: 20, Steps: []metrics.WidthStep{
		{Width: 1, Operations: 100, P99: 41}, {Width: 20, Operations: 100, P99: 800},
	}}
	page := renderPage(t, r)
	if !strings.Contains(page, `<section id="widths"`) {
		t.Fatal("no width section")
	}
	_, opts := options(t, page)
	o := opts["chart-widths"]
	if o == nil {
		t.Fatal("no width chart")
	}
	var names []string
	for _, s := range series(o) {
		names = append(names, s["name"].(string))
	}
	first, second := r.Strategies[0].Name, r.Strategies[1].Name
	want := []string{first + " p99", first + " p99 predicted", second + " p99"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("series = %q, want %q", names, want)
	}
	for _, want := range []string{"2.00×", "25.0 ms / 45.0 ms / 50.0 ms"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(renderPage(t, everything(t)), `<section id="widths"`) {
		t.Error("a run without a width sweep has a width section")
	}
}
