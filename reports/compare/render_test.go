package compare

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/internal/golden"
	"github.com/fanbench/fanbench/metrics"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenComparisons are the comparisons the renderers are pinned on: one
// with a regression and notes, one without change.
func goldenComparisons(t *testing.T) map[string]*Comparison {
	t.Helper()
	base, cur := repeatsFixture(54)
	cur.Strategies = append(cur.Strategies, strategy("pooled", []metrics.Repeat{repeat(42, 300, 0)}))
	names := Options{BaselineNames: []string{"baselines/seed.json"}, CurrentNames: []string{"result.json"}}
	regressed := mustCompare(t, []*metrics.Result{base}, []*metrics.Result{cur}, names)

	one := func(p50 float64) *metrics.Result {
		s := strategy("fanout", []metrics.Repeat{repeat(42, p50, 0)})
		s.Windows = windows(10, p50, 0)
		return result(scenarioJSON(42, "10s", "200ms"), s)
	}
	unchanged := mustCompare(t, []*metrics.Result{one(300)}, []*metrics.Result{one(300.1)}, names)

	// queued judged by its delivery, which got slower behind unchanged
	// acks; the runs differ in CPUs and the current one warned; the files
	// are named by local paths, which Markdown leaves out.
	var qb, qc []metrics.Repeat
	for k := range 5 {
		qb = append(qb, queuedRepeat(k, 0.07, 300, 0))
		qc = append(qc, queuedRepeat(k, 0.07, 360, 0))
	}
	qbase := result(scenarioJSON(42, "10s", "200ms"), queuedStrategy(qb))
	qcur := result(scenarioJSON(42, "10s", "200ms"), queuedStrategy(qc))
	qbase.Environment = metrics.Environment{FanbenchVersion: "v1", GoVersion: "go1.26.8", OS: "linux", Arch: "amd64", CPUs: 2}
	qcur.Environment = metrics.Environment{FanbenchVersion: "v1", GoVersion: "go1.26.8", OS: "linux", Arch: "amd64", CPUs: 4}
	qcur.Warnings = []string{"queued: the generator fell behind"}
	delivery := mustCompare(t, []*metrics.Result{qbase}, []*metrics.Result{qcur},
		Options{BaselineNames: []string{"/home/ci/work/baselines/seed.json"}, CurrentNames: []string{"/home/ci/work/result.json"}})
	return map[string]*Comparison{"regressed": regressed, "unchanged": unchanged, "delivery": delivery}
}

func TestRenderersGolden(t *testing.T) {
	t.Parallel()
	ext := map[string]string{"table": "txt", "markdown": "md", "json": "json", "junit": "xml"}
	for name, c := range goldenComparisons(t) {
		for _, format := range Formats() {
			t.Run(name+"/"+format, func(t *testing.T) {
				t.Parallel()
				var buf bytes.Buffer
				if err := Render(&buf, c, format); err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata", name+"."+ext[format]+".golden")
				want := golden.Want(t, path, buf.Bytes(), *update, "go test ./reports/compare -update")
				if buf.String() != string(want) {
					t.Errorf("Render(%s) differs from %s (rerun with -update if the change is intended)\n got:\n%s\nwant:\n%s", format, path, &buf, want)
				}
			})
		}
	}
}

func TestRenderedFormsParse(t *testing.T) {
	t.Parallel()
	c := goldenComparisons(t)["regressed"]
	var js bytes.Buffer
	if err := JSON(&js, c); err != nil {
		t.Fatal(err)
	}
	var back Comparison
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || !reflect.DeepEqual(&back, c) {
		t.Errorf("the JSON form does not read back into the Comparison: %v", err)
	}
	var generic map[string]any
	if err := json.Unmarshal(js.Bytes(), &generic); err != nil || generic["regressed"] != true {
		t.Errorf("JSON form: %v, regressed = %v", err, generic["regressed"])
	}
	var ju bytes.Buffer
	if err := JUnit(&ju, c); err != nil {
		t.Fatal(err)
	}
	var suites junitSuites
	if err := xml.Unmarshal(ju.Bytes(), &suites); err != nil {
		t.Fatalf("JUnit form does not parse: %v", err)
	}
	cases := 0
	for _, s := range c.Strategies {
		cases += len(s.Metrics)
	}
	if suites.Tests != cases || suites.Failures != 4 || len(suites.Suites) != 2 {
		t.Errorf("JUnit: %d tests, %d failures, %d suites; want %d, 4, 2", suites.Tests, suites.Failures, len(suites.Suites), cases)
	}
	if err := Render(&bytes.Buffer{}, c, "html"); err == nil || !strings.Contains(err.Error(), "table, markdown, json, junit") {
		t.Errorf("Render(html) = %v, want an error listing the formats", err)
	}
}

// A pull-request comment shows no local path: files by their base names,
// in the notes and environment lines too.
func TestMarkdownShowsNoLocalPaths(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := Markdown(&buf, goldenComparisons(t)["delivery"]); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	if strings.Contains(md, "/home/") || !strings.Contains(md, "Baseline: seed.json; current: result.json.") ||
		!strings.Contains(md, "result.json warned: queued: the generator fell behind") {
		t.Errorf("the Markdown shows a local path or lacks the base names:\n%s", md)
	}
}

func TestMarkdownEscapesNames(t *testing.T) {
	t.Parallel()
	sc := scenarioJSON(42, "10s", "200ms")
	mk := func(p50 float64) *metrics.Result {
		return result(sc, strategy("a|b_*c*", []metrics.Repeat{repeat(42, p50, 0)}))
	}
	c := mustCompare(t, []*metrics.Result{mk(300)}, []*metrics.Result{mk(300)}, Options{})
	var buf bytes.Buffer
	if err := Markdown(&buf, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `| a\|b\_\*c\* |`) {
		t.Errorf("the strategy name is not escaped:\n%s", &buf)
	}
}
