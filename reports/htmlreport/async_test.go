package htmlreport

import (
	"bytes"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/internal/golden"
)

var asyncHTML = regexp.MustCompile(`(?s)<section id="async" class="section">.*?</section>`)

// A run with asynchronous calls has the Async section after the
// upstreams, with the 202 beside the completion at p50 and p99 and the
// callbacks; its markup is pinned in testdata/async/webhooks.html (go test
// ./reports/htmlreport -update rewrites it). A run without has none.
func TestAsyncSection(t *testing.T) {
	t.Parallel()
	page := renderPage(t, webhooks(t))
	var got []string
	for _, m := range sectionID.FindAllStringSubmatch(page, -1) {
		got = append(got, m[1])
	}
	if i := slices.Index(got, "async"); i < 0 || got[i-1] != "upstreams" {
		t.Errorf("sections = %v, want async after upstreams", got)
	}
	_, opts := options(t, page)
	for _, id := range []string{"chart-async-p50", "chart-async-p99"} {
		s := series(opts[id])
		if len(s) != 6 { // a 202 and a completion series for each of 3 strategies
			t.Errorf("%s: %d series, want 6", id, len(s))
		}
	}
	sec := asyncHTML.FindString(page)
	for _, want := range []string{"The 202 against the completion", "Callbacks", "payments", "email", "58.6 ms", "359.7 ms", "2.9", "stale (replay)"} {
		if !strings.Contains(sec, want) {
			t.Errorf("the async section lacks %q", want)
		}
	}
	path := filepath.Join("testdata", "async", "webhooks.html")
	if want := golden.Want(t, path, []byte(sec+"\n"), *update, "go test ./reports/htmlreport -update"); !bytes.Equal([]byte(sec+"\n"), want) {
		t.Errorf("the async section differs from %s (rerun with -update if intended)\n got:\n%s", path, sec)
	}
	if asyncHTML.MatchString(renderPage(t, everything(t))) {
		t.Errorf("a run without asynchronous calls has an async section")
	}
}
