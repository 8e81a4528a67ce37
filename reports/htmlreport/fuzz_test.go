package htmlreport

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

// Whatever a scenario, a strategy or an upstream is called, the name never
// reaches the page as markup: the page has the same tags as with a plain
// name, and as many script ends as starts.
func FuzzWriteEscapes(f *testing.F) {
	for _, s := range []string{xssScenario, xssStrategy, xssUpstream, "plain", "</SCRIPT >", "<!--", "\u2028", "&lt;", "{{.}}"} {
		f.Add(s)
	}
	plain := markup(f, "plain")
	f.Fuzz(func(t *testing.T, name string) {
		if name == "" {
			return // no description paragraph: fewer tags, rightly
		}
		if got := markup(t, name); got != plain {
			t.Errorf("named %q, the page has %d tag openings outside its scripts; named plainly, %d", name, got, plain)
		}
	})
}

// markup renders a small result named name and counts the '<' of the page
// outside its scripts, and checks that every script element ends.
func markup(t testing.TB, name string) int {
	t.Helper()
	sc, _ := json.Marshal(map[string]any{"name": name, "description": name, "upstreams": []any{map[string]any{"name": name}}})
	r := &metrics.Result{Schema: metrics.Schema, Scenario: sc, Warnings: []string{name}, Strategies: []metrics.StrategyResult{
		{Name: name, Operations: 10, Outcomes: metrics.Outcomes{OK: 10}, Latency: metrics.Summary{Count: 10, P50: 1, P99: 2},
			Upstreams: []metrics.UpstreamResult{{Name: name, Calls: 10, Statuses: map[string]uint64{"200": 10}}},
			Windows:   []metrics.Window{{AtS: 0, Completed: 10, P50: 1, P99: 2}}},
		{Name: "other", Operations: 10, Outcomes: metrics.Outcomes{OK: 10}, Latency: metrics.Summary{Count: 10, P50: 1, P99: 2}},
	}}
	var b bytes.Buffer
	if err := Write(&b, r); err != nil {
		t.Fatal(err)
	}
	// The inlined ECharts is the same whatever the names: leave it out.
	page := strings.Replace(b.String(), echartsJS, "", 1)
	lower := strings.ToLower(page)
	if starts, ends := strings.Count(lower, "<script"), strings.Count(lower, "</script"); starts != ends {
		t.Errorf("named %q, the page has %d script starts and %d ends", name, starts, ends)
	}
	return strings.Count(scriptBody.ReplaceAllString(page, "$1</script>"), "<")
}
