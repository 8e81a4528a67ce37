package htmlreport

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/fanbench/fanbench/metrics"
)

// chromium is Debian's Chromium, which .ci/run installs.
const chromium = "/usr/bin/chromium"

// needBrowser skips the test when Chromium is missing (or with -short),
// unless FANBENCH_REQUIRE_BROWSER=1 (set by .ci/run) makes it run or fail.
func needBrowser(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("FANBENCH_REQUIRE_BROWSER") == "1" {
			t.Fatalf("FANBENCH_REQUIRE_BROWSER=1 but %s is missing (%v): apt-get install -y chromium", chromium, err)
		}
		t.Skipf("skipping the browser test: %s is missing (apt-get install -y chromium; FANBENCH_REQUIRE_BROWSER=1 makes this a failure)", chromium)
	}
	if testing.Short() && os.Getenv("FANBENCH_REQUIRE_BROWSER") != "1" {
		t.Skip("skipping the browser test in -short mode")
	}
}

// newBrowser starts headless Chromium for the test, with the flags that
// keep it from reaching for the network on its own; the page tests add
// offline emulation on top.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first run starts the browser and binds it to ctx: no timeout here.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}
	return ctx
}

// offlineRule is the parameters of Network.emulateNetworkConditionsByRule
// as Chromium 156 takes them, with offline at the top level; cdproto
// v0.159's EmulateNetworkConditionsByRuleParams puts it in each condition,
// which Chromium refuses as "Invalid parameters".
type offlineRule struct {
	Offline                  bool                  `json:"offline"`
	MatchedNetworkConditions []*network.Conditions `json:"matchedNetworkConditions"`
}

var emulateNetworkByRule = cdp.Command[offlineRule, cdp.Empty]{Method: network.CommandEmulateNetworkConditionsByRule}

// visit is what a page did in the browser.
type visit struct {
	mu       sync.Mutex
	requests []string
	problems []string // console errors, exceptions, dialogs
}

func (v *visit) add(list *[]string, s string) {
	v.mu.Lock()
	*list = append(*list, s)
	v.mu.Unlock()
}

// open loads path in a new tab of the browser with the network offline,
// recording every request, console error, exception and dialog.
func open(t *testing.T, browser context.Context, path string) (context.Context, *visit) {
	t.Helper()
	return openAt(t, browser, path, 1280, 900)
}

// openAt is open with a viewport of width × height.
func openAt(t *testing.T, browser context.Context, path string, width, height int64) (context.Context, *visit) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	v := &visit{}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			v.add(&v.requests, ev.Request.URL)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				v.add(&v.problems, "console."+string(ev.Type)+": "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil {
				text += " " + d.Exception.Description
			}
			v.add(&v.problems, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber, text))
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				v.add(&v.problems, "log error ("+string(ev.Entry.Source)+"): "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		case *cdppage.EventJavascriptDialogOpening:
			v.add(&v.problems, "dialog "+string(ev.Type)+": "+ev.Message)
			go func() { // a dialog blocks the page until it is answered
				_, _ = chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulateNetworkByRule, offlineRule{Offline: true,
		MatchedNetworkConditions: []*network.Conditions{{DownloadThroughput: -1, UploadThroughput: -1}}}); err != nil {
		t.Fatalf("turning the network off: %v", err)
	}
	u := (&url.URL{Scheme: "file", Path: path}).String()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height), chromedp.Navigate(u)); err != nil {
		t.Fatalf("loading %s: %v", u, err)
	}
	return ctx, v
}

// chartsDrawn is, per chart element, how many pixels of its canvas are
// neither white nor transparent: 0 is a blank chart.
const chartsDrawn = `(() => {
  const out = {};
  for (const plot of document.querySelectorAll("div.plot")) {
    const c = plot.querySelector("canvas");
    let ink = 0;
    if (c && c.width && c.height) {
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) ink++;
      }
    }
    out[plot.id] = ink;
  }
  return out;
})()`

// The report works in a browser with the network off: it loads nothing,
// logs no error, draws every chart, and shows hostile names as text.
func TestBrowser(t *testing.T) {
	needBrowser(t)
	browser := newBrowser(t)
	dir := t.TempDir()
	var hits atomic.Int64
	canary := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer canary.Close()
	comparison := func(t *testing.T) []byte {
		var b bytes.Buffer
		if err := WriteComparison(&b, everything(t), hostile(t), nil); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	single := func(r func(testing.TB) *metrics.Result) func(*testing.T) []byte {
		return func(t *testing.T) []byte { return []byte(renderPage(t, r(t))) }
	}
	tests := []struct {
		name    string
		page    func(*testing.T) []byte
		heading string
	}{
		{"everything", single(everything), "everything"},
		{"seed", single(seed), "seed"},
		{"webhooks", single(webhooks), "webhooks"},
		{"hostile names", single(hostile), xssScenario},
		{"comparison", comparison, "everything → " + xssScenario},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".html")
			if err := os.WriteFile(path, tt.page(t), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, v := open(t, browser, path)
			wait, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			_, err := chromedp.Run(wait, chromedp.Poll[bool](
				`Object.values(`+chartsDrawn+`).every(n => n > 0) && window.fanbenchCharts && window.fanbenchCharts.length > 0`,
				chromedp.WithPollingInterval(100*time.Millisecond)))
			ink, err2 := chromedp.Run(ctx, chromedp.Evaluate[map[string]int](chartsDrawn))
			if err2 != nil {
				t.Fatal(err2)
			}
			if err != nil {
				t.Errorf("not every chart was drawn (%v): pixels drawn per chart %v", err, ink)
			}
			if len(ink) < 2 {
				t.Errorf("the page has %d charts", len(ink))
			}
			for id, n := range ink {
				if n == 0 {
					t.Errorf("chart %s is blank", id)
				}
			}
			// Show every chart's tooltip: series names go into its HTML.
			if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](
				`window.fanbenchCharts.forEach(c => c.dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: 0}))`),
				chromedp.Sleep(300*time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			got, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
				Heading string `json:"heading"`
				XSS     any    `json:"xss"`
				Images  int    `json:"images"`
			}](`({heading: document.getElementById("report-heading").textContent, xss: window.__xss ?? null, images: document.images.length})`))
			if err != nil {
				t.Fatal(err)
			}
			if got.Heading != tt.heading {
				t.Errorf("heading = %q, want %q as text", got.Heading, tt.heading)
			}
			if got.XSS != nil || got.Images != 0 {
				t.Errorf("markup from a name ran: window.__xss = %v, %d images on the page", got.XSS, got.Images)
			}
			v.mu.Lock()
			problems, requests := slices.Clone(v.problems), slices.Clone(v.requests)
			v.mu.Unlock()
			for _, p := range problems {
				t.Errorf("in the browser: %s", p)
			}
			for _, r := range requests {
				if r != (&url.URL{Scheme: "file", Path: path}).String() && !strings.HasPrefix(r, "data:") {
					t.Errorf("the page requested %s", r)
				}
			}
			// The network is off: a request made from the page fails and
			// never reaches a server.
			fetched, err := chromedp.Run(ctx, chromedp.Evaluate[string](
				`fetch(`+strconv.Quote(canary.URL)+`, {mode: "no-cors"}).then(() => "reached", () => "failed")`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			if fetched != "failed" || hits.Load() != 0 {
				t.Errorf("with the network off, a fetch from the page %s and the server saw %d requests", fetched, hits.Load())
			}
		})
	}
}

// eightStrategies is everything.json with eight strategies (its four
// twice, renamed), for the legends: the most a run usually holds.
func eightStrategies(t testing.TB) *metrics.Result {
	t.Helper()
	r := everything(t)
	names := []string{"sequential", "fanout", "pooled-4", "queued", "fanout-fail-fast", "pooled-16-workers", "hedged-at-p95", "queued-jetstream"}
	var ss []metrics.StrategyResult
	for i, name := range names {
		s := everything(t).Strategies[i%len(r.Strategies)]
		s.Name = name
		ss = append(ss, s)
	}
	r.Strategies = ss
	return r
}

// layoutOf measures, in the page, what the layout test checks: the
// summary's first block, the speed-up column of the table at a glance,
// and for each chart its legend (type, page controls, box) and the boxes
// of its axis names, through the ECharts instance.
const layoutOf = `(() => {
  const rect = r => r && ({left: r.left, top: r.top, right: r.right, bottom: r.bottom});
  const summary = document.querySelector("#summary h2").nextElementSibling;
  const glance = document.querySelector("#glance");
  const heads = glance ? [...glance.querySelectorAll("th")] : [];
  const speed = heads.find(th => th.textContent.trim() === "speed-up");
  const cells = speed ? [...glance.querySelectorAll("tbody tr")].map(tr => rect(tr.children[speed.cellIndex].getBoundingClientRect())) : [];
  const charts = window.fanbenchCharts.map(c => {
    const out = {id: c.getDom().id, legends: [], names: [], pages: 0};
    const opt = c.getOption();
    (opt.legend || []).forEach(l => out.legends.push({type: l.type, show: l.show !== false}));
    const legend = c.getModel().getComponent("legend");
    if (legend && legend.get("show") !== false) {
      const view = c.getViewOfComponentModel(legend);
      const g = view.group, b = g.getBoundingRect();
      out.legendBox = {left: g.x + b.x, top: g.y + b.y, right: g.x + b.x + b.width, bottom: g.y + b.y + b.height};
      out.pages = view._controllerGroup ? view._controllerGroup.childCount() : 0;
    }
    const names = [].concat(opt.xAxis || [], opt.yAxis || []).map(a => a.name).filter(n => n);
    for (const el of c.getZr().storage.getDisplayList()) {
      const text = el.style && el.style.text;
      if (typeof text === "string" && /^\d+\/\d+$/.test(text)) out.pages++;
      if (typeof text === "string" && names.includes(text) && !el.ignore) {
        // zrender sizes a line by the width of a CJK glyph, which a
        // browser without CJK fonts draws narrow: the height is taken
        // from the font size instead, around the measured middle.
        const b = el.getBoundingRect().clone();
        b.applyTransform(el.getComputedTransform());
        const size = +(((el.style.font || "").match(/(\d+(?:\.\d+)?)px/) || [0, 12])[1]);
        const mid = b.y + b.height / 2, half = Math.max(b.height, 1.25 * size) / 2;
        out.names.push({text, left: b.x, top: mid - half, right: b.x + b.width, bottom: mid + half});
      }
    }
    out.wanted = names.length;
    return out;
  });
  return {
    first: summary ? summary.id : "", firstBox: summary ? rect(summary.getBoundingClientRect()) : null,
    speed: speed ? rect(speed.getBoundingClientRect()) : null, cells,
    wrap: glance ? {scroll: glance.scrollWidth, client: glance.clientWidth} : null,
    viewport: {width: window.innerWidth, height: window.innerHeight}, charts,
  };
})()`

type box struct{ Left, Top, Right, Bottom float64 }

func (b box) inside(w, h float64) bool {
	return b.Left >= 0 && b.Top >= 0 && b.Right <= w && b.Bottom <= h
}

func (b box) overlaps(o box) bool {
	return b.Left < o.Right && o.Left < b.Right && b.Top < o.Bottom && o.Top < b.Bottom
}

type layout struct {
	First    string `json:"first"`
	FirstBox *box   `json:"firstBox"`
	Speed    *box   `json:"speed"`
	Cells    []box  `json:"cells"`
	Wrap     *struct{ Scroll, Client float64 }
	Viewport struct{ Width, Height float64 }
	Charts   []struct {
		ID      string `json:"id"`
		Legends []struct {
			Type string `json:"type"`
			Show bool   `json:"show"`
		} `json:"legends"`
		LegendBox *box `json:"legendBox"`
		Pages     int  `json:"pages"`
		Names     []struct {
			Text                     string
			Left, Top, Right, Bottom float64
		} `json:"names"`
		Wanted int `json:"wanted"`
	} `json:"charts"`
}

// On a laptop's screen, 1,024 px wide, the summary opens with the verdict
// and the table at a glance shows its speed-up column without scrolling;
// with eight strategies, no legend pages and no legend covers an axis
// name.
func TestBrowserLayout(t *testing.T) {
	needBrowser(t)
	browser := newBrowser(t)
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		r    func(testing.TB) *metrics.Result
		// firstScreen: the table at a glance is on the first screen; with
		// eight strategies the verdict and the concerns push it below, and
		// it is scrolled to before it is measured.
		firstScreen bool
	}{{"everything", everything, true}, {"eight strategies", eightStrategies, false}, {"seed", seed, true}} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".html")
			if err := os.WriteFile(path, []byte(renderPage(t, tt.r(t))), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, v := openAt(t, browser, path, 1024, 900)
			wait, cancel := context.WithTimeout(ctx, 15*time.Second)
			defer cancel()
			if _, err := chromedp.Run(wait, chromedp.Poll[bool](`window.fanbenchCharts && window.fanbenchCharts.length > 0`,
				chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
				t.Fatalf("the charts were not drawn: %v", err)
			}
			l, err := chromedp.Run(ctx, chromedp.Evaluate[layout](layoutOf))
			if err != nil {
				t.Fatal(err)
			}
			w, h := l.Viewport.Width, l.Viewport.Height
			if w != 1024 {
				t.Fatalf("viewport %v wide, want 1024", w)
			}
			if l.First != "verdict" || l.FirstBox == nil || l.FirstBox.Top < 0 || l.FirstBox.Top > h/2 {
				t.Errorf("the summary's first block is %q at %+v, want the verdict, high on the first screen", l.First, l.FirstBox)
			}
			if !tt.firstScreen {
				l, err = chromedp.Run(ctx, chromedp.Evaluate[layout](`document.querySelector("#glance").scrollIntoView({block: "start"}), `+layoutOf))
				if err != nil {
					t.Fatal(err)
				}
			}
			if l.Speed == nil || !l.Speed.inside(w, h) {
				t.Errorf("the speed-up column's head is at %+v, want inside the %v×%v viewport", l.Speed, w, h)
			}
			for i, c := range l.Cells {
				if c.Right > w || c.Left < 0 {
					t.Errorf("row %d: the speed-up cell at %+v is outside the viewport's width %v", i, c, w)
				}
			}
			if l.Wrap == nil || l.Wrap.Scroll > l.Wrap.Client {
				t.Errorf("the table at a glance scrolls sideways: %+v", l.Wrap)
			}
			if len(l.Charts) < 10 {
				t.Errorf("%d charts measured", len(l.Charts))
			}
			for _, c := range l.Charts {
				for _, lg := range c.Legends {
					if lg.Show && lg.Type != "plain" {
						t.Errorf("%s: legend of type %q, want plain (it wraps, never pages)", c.ID, lg.Type)
					}
				}
				if c.Pages > 0 {
					t.Errorf("%s: the legend pages (%d page controls)", c.ID, c.Pages)
				}
				if len(c.Names) < c.Wanted {
					t.Errorf("%s: found %d of its %d axis names to measure", c.ID, len(c.Names), c.Wanted)
				}
				if c.LegendBox == nil {
					continue
				}
				for _, n := range c.Names {
					if c.LegendBox.overlaps(box{n.Left, n.Top, n.Right, n.Bottom}) {
						t.Errorf("%s: the legend at %+v covers the axis name %q at %+v", c.ID, *c.LegendBox, n.Text, n)
					}
				}
			}
			v.mu.Lock()
			defer v.mu.Unlock()
			for _, p := range v.problems {
				t.Errorf("in the browser: %s", p)
			}
		})
	}
}
