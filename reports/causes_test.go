package reports

import (
	"strings"
	"testing"
)

// TestTableNamesFirstErrors: the per-upstream table says what its failure
// counts were, from the first error of each kind.
func TestTableNamesFirstErrors(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	u := &r.Strategies[0].Upstreams[1]
	u.FirstErrors = map[string]string{"tls": "tls: failed to verify certificate: x509: certificate signed by unknown authority"}
	var b strings.Builder
	if err := Table(&b, r, TableOptions{Wide: true}); err != nil {
		t.Fatal(err)
	}
	want := r.Strategies[0].Name + " · " + u.Name + " · tls: tls: failed to verify certificate: x509: certificate signed by unknown authority"
	if !strings.Contains(b.String(), "first error of each kind:") || !strings.Contains(b.String(), want) {
		t.Errorf("the table does not name the first error:\n%s\nwant %q", b.String(), want)
	}
}
