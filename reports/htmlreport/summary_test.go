package htmlreport

import (
	"bytes"
	"encoding/json"
	"flag"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/internal/golden"
	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/reports"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// verdictCases reads the runs whose verdicts are pinned in package
// reports (its verdictCases, written to ../testdata/verdict by
// TestVerdictCaseFiles): a clear win, a tie, an async strategy with fast
// acks and failing deliveries, a saturated pool.
func verdictCases(t testing.TB) map[string]*metrics.Result {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "verdict", "*.json"))
	if err != nil || len(paths) < 4 {
		t.Fatalf("the verdict cases: %v, %d files; go test ./reports -update writes them", err, len(paths))
	}
	out := map[string]*metrics.Result{}
	for _, p := range paths {
		// Read without the consistency check: the cases are written by
		// hand (headline figures only, no histograms), as renderers meet
		// them in fixtures, not as a run writes them.
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		r := new(metrics.Result)
		if err := json.Unmarshal(data, r); err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(p), ".json")] = r
	}
	return out
}

var summaryHTML = regexp.MustCompile(`(?s)<section id="summary" class="section">.*?</section>`)

// summaryOf is the summary section of a page.
func summaryOf(t testing.TB, page string) string {
	t.Helper()
	s := summaryHTML.FindString(page)
	if s == "" {
		t.Fatal("the page has no summary section")
	}
	return s
}

// shownCard is a "best per metric" card as the page shows it.
type shownCard struct{ label, kind, name string }

var cardHTML = regexp.MustCompile(`(?s)<div class="card (win|tie|none)">\s*<p class="card-label">([^<]*)</p>\s*<p class="card-name">(?:<span class="swatch"[^>]*></span>)?([^<]*)</p>`)

func cardsOf(summary string) []shownCard {
	var out []shownCard
	for _, m := range cardHTML.FindAllStringSubmatch(summary, -1) {
		out = append(out, shownCard{label: html.UnescapeString(m[2]), kind: m[1], name: html.UnescapeString(m[3])})
	}
	return out
}

// Every verdict case: the summary opens with the verdict, its headline
// and basis, and crowns no strategy the system was in trouble under nor
// one that fails more often than another; a tie is shown as a tie.
func TestSummaryVerdictCases(t *testing.T) {
	t.Parallel()
	wantCards := map[string]map[string]string{ // label → kind: name
		"clear-win":                {"p50 latency": "win: fanout", "p99 latency": "win: fanout", "error rate": "tie: tie: sequential = fanout"},
		"tie":                      {"p50 latency": "tie: tie: fanout = hedged", "p99 latency": "tie: tie: hedged = fanout"},
		"async-failing-deliveries": {"p50 latency": "win: fanout", "error rate": "tie: tie: sequential = fanout"},
		"saturated-pool":           {"p50 latency": "win: fanout", "throughput": "tie: tie: sequential = fanout"},
	}
	for name, r := range verdictCases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sum := summaryOf(t, renderPage(t, r))
			v := reports.Decide(r)
			first := regexp.MustCompile(`(?s)<h2>Summary</h2>\s*<div class="verdict[^"]*" id="verdict"`)
			if !first.MatchString(sum) {
				t.Errorf("the summary does not open with the verdict:\n%.600s", sum)
			}
			for _, line := range append(slices.Clone(v.Lines), capitalized(v.Basis)) {
				if !strings.Contains(sum, html.EscapeString(line)) {
					t.Errorf("the summary lacks the verdict's %q", line)
				}
			}
			if !strings.Contains(sum, `<p class="verdict-headline">`+html.EscapeString(v.Lines[0])+`</p>`) {
				t.Errorf("the headline %q is not the verdict's emphasised first line", v.Lines[0])
			}
			troubled := map[string]bool{}
			for _, c := range reports.Concerns(r) {
				troubled[c.Strategy] = true
			}
			errRate := map[string]float64{}
			for _, s := range r.Strategies {
				errRate[s.Name] = reports.Judge(s).ErrorRate
			}
			cards := cardsOf(sum)
			if len(cards) < 5 {
				t.Fatalf("%d cards, want the best per metric", len(cards))
			}
			for _, c := range cards {
				if c.kind == "none" {
					continue
				}
				for _, n := range strings.Split(strings.TrimPrefix(c.name, "tie: "), " = ") {
					if troubled[n] {
						t.Errorf("card %q crowns %s, which the system was in trouble under", c.label, n)
					}
					for other, e := range errRate {
						if c.label != "error rate" && !troubled[other] && errRate[n] > e && !reports.LevelErrorRate(errRate[n], e) {
							t.Errorf("card %q crowns %s (errors %.3f), which fails more often than %s (%.3f)", c.label, n, errRate[n], other, e)
						}
					}
				}
			}
			for label, want := range wantCards[name] {
				i := slices.IndexFunc(cards, func(c shownCard) bool { return c.label == label })
				if i < 0 {
					t.Errorf("no %q card", label)
					continue
				}
				if got := cards[i].kind + ": " + cards[i].name; got != want {
					t.Errorf("card %q = %q, want %q", label, got, want)
				}
			}
		})
	}
}

// The async strategy is judged by its delivery in the summary: its
// latency and errors are the delivery's, what its caller waits beside,
// and one line says why.
func TestSummaryJudgesAsyncByDelivery(t *testing.T) {
	t.Parallel()
	sum := summaryOf(t, renderPage(t, verdictCases(t)["async-failing-deliveries"]))
	for _, want := range []string{
		"310.0 ms<span class=\"sub\">caller waits 0.070 ms</span>", // delivery p50, the ack beside
		"20.00 %<span class=\"sub\">delivered</span>",              // delivered errors, not the acks' 0 %
		"1.61×", // speed-up by delivery
		"queued answers its caller before the work is done, so it is judged by its delivery",
		"an async strategy by its delivery", // the cards' rule
	} {
		if !strings.Contains(sum, want) {
			t.Errorf("the summary lacks %q", want)
		}
	}
}

// The first screen, in order: the verdict, the concerns, the strategies
// at a glance, the push-back; then the rest.
func TestSummaryOrder(t *testing.T) {
	t.Parallel()
	sum := summaryOf(t, renderPage(t, everything(t)))
	var at []int
	for _, marker := range []string{`id="verdict"`, `id="concerns"`, `id="glance"`, `id="pushback"`, `Best per metric`, `Every figure per strategy`} {
		i := strings.Index(sum, marker)
		if i < 0 {
			t.Fatalf("the summary lacks %s", marker)
		}
		at = append(at, i)
	}
	if !slices.IsSorted(at) {
		t.Errorf("summary blocks at %v, want verdict, concerns, glance, push-back, cards, full table in that order", at)
	}
	for _, want := range []string{"429s received", "47 (8.6 %)", `<a href="#queues">see the pool section</a>`, `<a href="#upstreams">see the upstreams table</a>`} {
		if !strings.Contains(sum, want) {
			t.Errorf("the summary lacks %q", want)
		}
	}
}

// Every place a concern says to look (reports.Concern's Where, as
// reports/health.go writes them) has a section to link to.
func TestConcernSectionsCoverHealth(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("..", "health.go"))
	if err != nil {
		t.Fatal(err)
	}
	wheres := regexp.MustCompile(`add\("([^"]+)",`).FindAllStringSubmatch(string(src), -1)
	if len(wheres) < 5 {
		t.Fatalf("found %d concerns in health.go; the pattern is stale", len(wheres))
	}
	ids := []string{"summary", "spectrum", "percentiles", "latency-over-time", "throughput", "upstreams", "outcomes", "queues", "cost", "scenario"}
	for _, w := range wheres {
		id, ok := concernSections[w[1]]
		if !ok || !slices.Contains(ids, id) {
			t.Errorf("concerns say to look at %q, which links to no section (concernSections)", w[1])
		}
	}
}

// Figures level within the verdict's tolerance are ties: 45.5 against
// 45.5 ops/s crowns neither.
func TestCardsTie(t *testing.T) {
	t.Parallel()
	r := verdictCases(t)["clear-win"]
	r.Strategies[0].Throughput, r.Strategies[1].Throughput = 45.5, 45.5
	for _, c := range cardsOf(summaryOf(t, renderPage(t, r))) {
		if c.label == "throughput" && (c.kind != "tie" || c.name != "tie: sequential = fanout") {
			t.Errorf("throughput 45.5 against 45.5 ops/s: card %+v, want a tie", c)
		}
	}
}

// TestSummaryGolden pins the summary section of each verdict case and of
// everything.json: testdata/summary/NAME.html; go test
// ./reports/htmlreport -update rewrites them.
func TestSummaryGolden(t *testing.T) {
	t.Parallel()
	runs := verdictCases(t)
	runs["everything"] = everything(t)
	runs["webhooks"] = webhooks(t)
	for name, r := range runs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := []byte(summaryOf(t, renderPage(t, r)) + "\n")
			path := filepath.Join("testdata", "summary", name+".html")
			if want := golden.Want(t, path, got, *update, "go test ./reports/htmlreport -update"); !bytes.Equal(got, want) {
				t.Errorf("the summary of %s differs from %s (rerun with -update if intended)\n got:\n%s", name, path, got)
			}
		})
	}
}

// Who a card crowns, table-driven over edits of the verdict cases: an
// async strategy wins by its delivery, its ack beside; a fastest strategy
// that fails more often is not crowned; a strategy in trouble that would
// win is said, not crowned.
func TestCards(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, base string
		edit       func(r *metrics.Result)
		label      string
		want       []string // fragments of the card's HTML
	}{
		{"async wins by delivery", "async-failing-deliveries", func(r *metrics.Result) {
			q := r.Strategies[2].Queue
			q.DeliveredOutcomes = metrics.Outcomes{OK: 999, Failed: 1}
			q.DeliveryLatency.P50 = 200
		}, "p50 latency", []string{`<div class="card win">`, "queued</p>", "200.0 ms", "by delivery; its caller waits 0.070 ms"}},
		{"fastest fails more", "clear-win", func(r *metrics.Result) {
			r.Strategies[1].ErrorRate = 0.1
			r.Strategies[1].Outcomes = metrics.Outcomes{OK: 900, Failed: 100}
		}, "p50 latency", []string{`<div class="card none">`, "no clear best", "fanout is best here but fails 10.00 % of operations, against 0.20 % for sequential"}},
		{"in trouble, said not crowned", "saturated-pool", nil, "error rate", []string{`<div class="card tie">`, "pooled 0.00 %, but in trouble (see the concerns)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := verdictCases(t)[tt.base]
			if tt.edit != nil {
				tt.edit(r)
			}
			sum := summaryOf(t, renderPage(t, r))
			var card string
			for _, m := range regexp.MustCompile(`(?s)<div class="card [a-z]+">.*?\n    </div>`).FindAllString(sum, -1) {
				if strings.Contains(m, `<p class="card-label">`+tt.label+`</p>`) {
					card = m
				}
			}
			if card == "" {
				t.Fatalf("no %q card", tt.label)
			}
			for _, w := range tt.want {
				if !strings.Contains(card, w) {
					t.Errorf("the %q card lacks %q:\n%s", tt.label, w, card)
				}
			}
		})
	}
}
