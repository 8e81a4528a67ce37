package htmlreport

import (
	"bytes"
	"encoding/json"
	"regexp"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

// everything reads testdata/everything.json: a real run of
// testdata/everything.yaml, which has data for every section.
func everything(t testing.TB) *metrics.Result {
	t.Helper()
	r, err := metrics.ReadResult("testdata/everything.json")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// webhooks reads a run of the webhooks example (testdata/webhooks.json,
// from fanbench run --example webhooks): callbacks and polls, lost and
// duplicated callbacks, incomplete calls.
func webhooks(t testing.TB) *metrics.Result {
	t.Helper()
	r, err := metrics.ReadResult("testdata/webhooks.json")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// seed reads a run of the seed example (testdata/seed.json, a copy of
// demo/result.json): two strategies, fixed latencies, no errors.
func seed(t testing.TB) *metrics.Result {
	t.Helper()
	r, err := metrics.ReadResult("testdata/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// hostile names the scenario, a strategy and an upstream with markup that
// would run if the page did not escape it.
const (
	xssScenario = `<script>alert(1)</script>`
	xssStrategy = `<img src=x onerror="window.__xss=1">`
	xssUpstream = `</script><script>window.__xss=2</script>`
)

func hostile(t testing.TB) *metrics.Result {
	t.Helper()
	r := everything(t)
	var sc map[string]any
	if err := json.Unmarshal(r.Scenario, &sc); err != nil {
		t.Fatal(err)
	}
	sc["name"] = xssScenario
	sc["description"] = xssStrategy
	if ups, ok := sc["upstreams"].([]any); ok && len(ups) > 0 {
		ups[0].(map[string]any)["name"] = xssUpstream
	}
	raw, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	r.Scenario = raw
	old := r.Strategies[1].Name
	r.Strategies[1].Name = xssStrategy
	for i := range r.Thresholds {
		if r.Thresholds[i].Strategy == old {
			r.Thresholds[i].Strategy = xssStrategy
		}
	}
	for i := range r.Strategies {
		u := &r.Strategies[i].Upstreams[0]
		u.Name = xssUpstream
	}
	r.Warnings = append(r.Warnings, xssScenario+" warned")
	return r
}

func renderPage(t testing.TB, r *metrics.Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var chartSource = regexp.MustCompile(`<script type="application/json" data-chart="([^"]+)">(.*?)</script>`)

// options decodes every chart's option on the page, by chart id, in page
// order.
func options(t testing.TB, page string) (ids []string, opts map[string]map[string]any) {
	t.Helper()
	opts = map[string]map[string]any{}
	for _, m := range chartSource.FindAllStringSubmatch(page, -1) {
		var o map[string]any
		if err := json.Unmarshal([]byte(m[2]), &o); err != nil {
			t.Fatalf("chart %s: option is not JSON: %v", m[1], err)
		}
		ids = append(ids, m[1])
		opts[m[1]] = o
	}
	return ids, opts
}

// series lists a chart option's series.
func series(o map[string]any) []map[string]any {
	var out []map[string]any
	list, _ := o["series"].([]any)
	for _, s := range list {
		if m, ok := s.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// dig follows keys through nested maps.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
