package htmlreport

import (
	"strings"
	"testing"
)

// TestReportNamesFirstErrors: the per-upstream table of the report says
// what its failure counts were, from the first error of each kind.
func TestReportNamesFirstErrors(t *testing.T) {
	t.Parallel()
	r := seed(t)
	u := &r.Strategies[0].Upstreams[0]
	u.FirstErrors = map[string]string{"protocol": `net/http: HTTP/1.x transport connection broken: malformed HTTP status code "<b>x</b>"`}
	page := renderPage(t, r)
	if !strings.Contains(page, "First error of each kind: "+r.Strategies[0].Name+" · "+u.Name+" · protocol: net/http") ||
		!strings.Contains(page, "&lt;b&gt;x&lt;/b&gt;") {
		t.Error("the report does not name the first error, escaped")
	}
}
