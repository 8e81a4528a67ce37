package htmlreport

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

var (
	scriptBody = regexp.MustCompile(`(?s)(<script[^>]*>).*?</script>`)
	tag        = regexp.MustCompile(`<[a-zA-Z][^>]*>`)
	reference  = regexp.MustCompile(`(?i)\b(src|href|action|poster|data)\s*=\s*"([^"]*)"`)
	sectionID  = regexp.MustCompile(`<section id="([^"]+)"`)
	plotID     = regexp.MustCompile(`<div class="plot" id="([^"]+)"`)
)

// The page inlines ECharts and refers to nothing outside itself: no script
// or stylesheet source, no link but to its own sections or data: URLs.
func TestWriteIsSelfContained(t *testing.T) {
	t.Parallel()
	for name, r := range map[string]*metrics.Result{"everything": everything(t), "seed": seed(t)} {
		page := renderPage(t, r)
		if !strings.Contains(page, "<script>"+echartsJS+"</script>") {
			t.Errorf("%s: the ECharts script is not inlined", name)
		}
		if !strings.HasPrefix(echartsJS, "\n/*\n* Licensed to the Apache Software Foundation") && !strings.Contains(echartsJS[:400], "Apache") {
			t.Errorf("the embedded script does not carry its licence header")
		}
		outside := scriptBody.ReplaceAllString(strings.Replace(page, echartsJS, "", 1), "$1</script>")
		for _, tg := range tag.FindAllString(outside, -1) {
			for _, ref := range reference.FindAllStringSubmatch(tg, -1) {
				if v := ref[2]; !strings.HasPrefix(v, "#") && !strings.HasPrefix(v, "data:") {
					t.Errorf("%s: %s refers outside the page: %s", name, ref[1], tg)
				}
			}
			if strings.HasPrefix(tg, "<script") && strings.Contains(tg, "src") {
				t.Errorf("%s: a script loads a source: %s", name, tg)
			}
		}
		if strings.Contains(outside, "http://") || strings.Contains(outside, "https://") {
			t.Errorf("%s: the page outside its scripts names an http(s) URL", name)
		}
	}
}

// Markup in scenario, strategy and upstream names shows as text: escaped in
// the HTML, \u003c-escaped in the chart options.
func TestWriteEscapesNames(t *testing.T) {
	t.Parallel()
	page := renderPage(t, hostile(t))
	for _, raw := range []string{xssScenario, xssStrategy, xssUpstream, "<script>alert", "<img src=x", "window.__xss=2</script>"} {
		if strings.Contains(page, raw) {
			t.Errorf("the page holds %q unescaped", raw)
		}
	}
	for _, want := range []string{
		`<h1 id="report-heading">&lt;script&gt;alert(1)&lt;/script&gt;</h1>`,
		`&lt;img src=x onerror=&#34;window.__xss=1&#34;&gt;`,
		`\u003c/script\u003e\u003cscript\u003ewindow.__xss=2\u003c/script\u003e`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks the escaped %q", want)
		}
	}
	_, opts := options(t, page)
	if len(opts) == 0 {
		t.Fatal("no chart options on the page")
	}
}

// A result with data for every section gets every section, in the issue's
// order, and each of its charts.
func TestWriteHasEverySection(t *testing.T) {
	t.Parallel()
	page := renderPage(t, everything(t))
	var got []string
	for _, m := range sectionID.FindAllStringSubmatch(page, -1) {
		got = append(got, m[1])
	}
	want := []string{"summary", "spectrum", "percentiles", "latency-over-time", "throughput", "upstreams", "outcomes", "queues", "cost", "scenario"}
	if !slices.Equal(got, want) {
		t.Errorf("sections = %v, want %v", got, want)
	}
	ids, opts := options(t, page)
	for _, id := range []string{"chart-spectrum", "chart-percentiles", "chart-latency-over-time", "chart-throughput", "chart-failures-0",
		"chart-upstream-p50", "chart-upstream-p99", "chart-statuses", "chart-amplification", "chart-outcomes",
		"chart-backlog", "chart-ack-delivery", "chart-pool-depth", "chart-queue-wait", "chart-cpu"} {
		if opts[id] == nil {
			t.Errorf("chart %s is missing; charts: %v", id, ids)
		}
	}
	var plots []string
	for _, m := range plotID.FindAllStringSubmatch(page, -1) {
		plots = append(plots, m[1])
	}
	if !slices.Equal(plots, ids) {
		t.Errorf("chart elements %v and chart options %v differ", plots, ids)
	}
	for id, o := range opts {
		if o["animation"] != false {
			t.Errorf("%s: animation = %v, want false", id, o["animation"])
		}
		if len(series(o)) == 0 {
			t.Errorf("%s: no series", id)
		}
	}
	for _, want := range []string{"Thresholds: 3 of 5 failed", "1 warning", "Best per metric", "name: everything", `&#34;503&#34;: 2%`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	seedPage := renderPage(t, seed(t))
	if _, o := options(t, seedPage); o["chart-overhead"] == nil {
		t.Error("the seed result has harness overhead, but no chart of it")
	}
}

// Sections without data are left out rather than drawn empty.
func TestWriteSkipsSectionsWithoutData(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		strip       func(*metrics.StrategyResult)
		gone        []string // section ids
		goneCharts  []string
		stillCharts []string
	}{
		{"no windows", func(s *metrics.StrategyResult) { s.Windows = nil },
			[]string{"latency-over-time", "throughput"}, []string{"chart-latency-over-time", "chart-throughput", "chart-failures-0"}, []string{"chart-spectrum"}},
		{"no queue or pool", func(s *metrics.StrategyResult) { s.Queue, s.Pool = nil, nil },
			[]string{"queues"}, []string{"chart-backlog", "chart-ack-delivery", "chart-pool-depth", "chart-queue-wait"}, []string{"chart-outcomes"}},
		{"no cost or overhead", func(s *metrics.StrategyResult) { s.Cost, s.HarnessOverhead = nil, nil },
			[]string{"cost"}, []string{"chart-cpu", "chart-overhead"}, []string{"chart-statuses"}},
		{"no histograms", func(s *metrics.StrategyResult) { s.Histograms = nil },
			[]string{"spectrum"}, []string{"chart-spectrum"}, []string{"chart-percentiles"}},
		{"no upstreams", func(s *metrics.StrategyResult) { s.Upstreams = nil; s.Amplification = metrics.Amplification{} },
			[]string{"upstreams"}, []string{"chart-statuses", "chart-amplification", "chart-upstream-p50"}, []string{"chart-outcomes"}},
		{"no operations", func(s *metrics.StrategyResult) {
			*s = metrics.StrategyResult{Name: s.Name, Strategy: s.Strategy}
		}, []string{"spectrum", "percentiles", "latency-over-time", "outcomes", "upstreams", "queues", "cost"}, []string{"chart-percentiles"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := everything(t)
			for i := range r.Strategies {
				tt.strip(&r.Strategies[i])
			}
			page := renderPage(t, r)
			for _, id := range tt.gone {
				if strings.Contains(page, `<section id="`+id+`"`) {
					t.Errorf("section %s is drawn without data", id)
				}
			}
			_, opts := options(t, page)
			for _, id := range tt.goneCharts {
				if opts[id] != nil {
					t.Errorf("chart %s is drawn without data", id)
				}
			}
			for _, id := range tt.stillCharts {
				if opts[id] == nil {
					t.Errorf("chart %s is gone, but its data is there", id)
				}
			}
			if !strings.Contains(page, `<section id="summary"`) {
				t.Error("no summary")
			}
		})
	}
}

// The incident windows of the scenario's mocks are shaded on the charts
// over time, [from, to) in seconds.
func TestWriteShadesIncidents(t *testing.T) {
	t.Parallel()
	_, opts := options(t, renderPage(t, everything(t)))
	for _, id := range []string{"chart-latency-over-time", "chart-throughput", "chart-failures-0"} {
		area := dig(series(opts[id])[0], "markArea", "data")
		list, _ := area.([]any)
		if len(list) != 1 {
			t.Fatalf("%s: mark areas = %v, want one", id, area)
		}
		pair, _ := list[0].([]any)
		if len(pair) != 2 || dig(pair[0], "name") != "slow-payments · payment" || dig(pair[0], "xAxis") != 1.0 || dig(pair[1], "xAxis") != 2.0 {
			t.Errorf("%s: mark area = %v, want slow-payments · payment from 1 to 2", id, pair)
		}
	}
}

// Every series named after a strategy has that strategy's colour, in
// every chart.
func TestWriteColoursStrategiesAlike(t *testing.T) {
	t.Parallel()
	r := everything(t)
	col := coloursFor(strategyNames(r))
	_, opts := options(t, renderPage(t, r))
	checked := 0
	for id, o := range opts {
		for _, s := range series(o) {
			name, _ := s["name"].(string)
			for _, st := range r.Strategies {
				if name != st.Name && !strings.HasPrefix(name, st.Name+" ") {
					continue
				}
				got := dig(s, "itemStyle", "color")
				if got == nil {
					got = dig(s, "lineStyle", "color")
				}
				if got != col.of(st.Name) {
					t.Errorf("%s: series %q has colour %v, want %s", id, name, got, col.of(st.Name))
				}
				checked++
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked %d series, want at least 20", checked)
	}
}

// A series longer than maxPoints is downsampled, and the chart says so.
func TestWriteDownsamplesLongSeries(t *testing.T) {
	t.Parallel()
	r := everything(t)
	s := &r.Strategies[0]
	w := s.Windows[0]
	s.Windows = nil
	for i := range 5000 {
		w.AtS = int64(i)
		w.P99 = float64(100 + i%7)
		s.Windows = append(s.Windows, w)
	}
	page := renderPage(t, r)
	_, opts := options(t, page)
	for _, srs := range series(opts["chart-latency-over-time"]) {
		if data, _ := srs["data"].([]any); len(data) > maxPoints {
			t.Errorf("series %v has %d points, want at most %d", srs["name"], len(data), maxPoints)
		}
	}
	if !strings.Contains(page, "sequential p99: 5,000 points downsampled to 2,000 with LTTB") {
		t.Error("the chart does not say that it was downsampled")
	}
}

func TestWriteFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := WriteFile(path, seed(t)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("<!DOCTYPE html>")) || !bytes.HasSuffix(bytes.TrimSpace(data), []byte("</html>")) {
		t.Errorf("%s is not a whole page", path)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the folder holds %d files, want only the report (no temporary file left)", len(entries))
	}
	if err := WriteFile(filepath.Join(dir, "missing", "report.html"), seed(t)); err == nil {
		t.Error("WriteFile into a missing folder succeeded")
	}
}

func TestWriteNil(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := Write(&b, nil); !errors.Is(err, ErrNoResult) {
		t.Errorf("Write(nil) = %v, want ErrNoResult", err)
	}
	if err := WriteComparison(&b, nil, seed(t), nil); !errors.Is(err, ErrNoResult) {
		t.Errorf("WriteComparison(nil, r) = %v, want ErrNoResult", err)
	}
	if b.Len() != 0 {
		t.Error("something was written for a nil result")
	}
}

// A histogram that does not decode is an error naming the strategy, not a
// page without its chart.
func TestWriteBadHistogram(t *testing.T) {
	t.Parallel()
	r := seed(t)
	r.Strategies[1].Histograms["latency"] = "not base64!"
	var b bytes.Buffer
	err := Write(&b, r)
	if err == nil || !strings.Contains(err.Error(), "strategy fanout, histogram latency") {
		t.Errorf("Write = %v, want an error naming the histogram", err)
	}
}

func TestCount(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {15000, "15,000"}, {1234567, "1,234,567"}, {-1234, "-1,234"}} {
		if got := count(tt.in); got != tt.want {
			t.Errorf("count(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// The throughput chart draws late starts per second only for a strategy
// whose generator fell behind (over 1% late), as the share of the
// operations due in each second.
func TestWriteDrawsLateStarts(t *testing.T) {
	t.Parallel()
	r := everything(t)
	for i := range r.Strategies {
		r.Strategies[i].LateStarts = r.Strategies[i].Operations / 100 // exactly 1%: not behind
	}
	late := &r.Strategies[0]
	late.LateStarts = late.Operations/100 + 1
	for i := range late.Windows {
		late.Windows[i].LateStarts = 0
	}
	w := &late.Windows[len(late.Windows)/2]
	w.Started = 200
	w.LateStarts = 50
	_, opts := options(t, renderPage(t, r))
	var got []string
	for _, s := range series(opts["chart-throughput"]) {
		name, _ := s["name"].(string)
		if !strings.HasSuffix(name, " late starts %") {
			continue
		}
		got = append(got, name)
		found := false
		for _, p := range s["data"].([]any) {
			if xy, _ := dig(p, "value").([]any); len(xy) == 2 && xy[0] == float64(w.AtS) {
				found = xy[1] == 25.0
			}
		}
		if !found {
			t.Errorf("%s: no point (%d, 25) for 50 late of 200 started", name, w.AtS)
		}
	}
	if want := []string{late.Name + " late starts %"}; !slices.Equal(got, want) {
		t.Errorf("late-start series %q, want %q", got, want)
	}
}
