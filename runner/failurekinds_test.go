package runner

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
)

// TestFailureKindsAndCauses: a certificate that does not verify is a tls
// failure, an answer that is not HTTP a protocol one, a connection closed
// without a byte an empty one (not a reset); the first error of each kind
// is in the result, secrets redacted.
// Both clients tell the same kinds apart.
func TestFailureKindsAndCauses(t *testing.T) {
	t.Parallel()
	for _, client := range strategies.Clients {
		t.Run(client, func(t *testing.T) {
			t.Parallel()
			testFailureKinds(t, client)
		})
	}
}

func testFailureKinds(t *testing.T, client string) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	sc, err := scenarios.Parse("kinds.yaml", []byte(fmt.Sprintf(`name: kinds
upstreams:
  billing: {url: "%[1]s/?api_key=abcd1234secret", client: %[2]s}
  broken: {mock: {faults: {malformed: 100%%}}, client: %[2]s}
  mute: {mock: {faults: {empty: 100%%}}, client: %[2]s}
operation:
  calls:
    - {upstream: billing, path: /}
    - {upstream: broken, path: /}
    - {upstream: mute, path: /}
strategies: [fanout]
load: {rate: 20/s, duration: 200ms}
`, srv.URL, client)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), sc, Options{Version: "test", CallTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s := strategyByName(t, res, "fanout")
	want := map[string]struct{ kind, text string }{
		"billing": {"tls", "x509: certificate signed by unknown authority"},
		"broken":  {"protocol", "malformed HTTP"},
		"mute":    {"empty", "EOF"},
	}
	for _, u := range s.Upstreams {
		w := want[u.Name]
		if u.Client != client {
			t.Errorf("%s: client %q in the result, want %q", u.Name, u.Client, client)
		}
		if u.Statuses[w.kind] != u.Calls || u.Calls == 0 {
			t.Errorf("%s: statuses %v, want every one of %d calls %s", u.Name, u.Statuses, u.Calls, w.kind)
		}
		if got := u.FirstErrors[w.kind]; !strings.Contains(got, w.text) {
			t.Errorf("%s: first_errors %v, want %s: …%s…", u.Name, u.FirstErrors, w.kind, w.text)
		}
		for _, text := range u.FirstErrors {
			if strings.Contains(text, "abcd1234secret") {
				t.Errorf("%s: a first error shows the secret: %q", u.Name, text)
			}
		}
	}
}
