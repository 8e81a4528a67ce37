package runner

import (
	"cmp"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanbench/fanbench/scenarios"
)

// seen records what a real upstream received.
type seen struct {
	mu       sync.Mutex
	requests []string
}

func (s *seen) handler(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests = append(s.requests, fmt.Sprintf("%s %s auth=%s ct=%s key=%s body=%s",
		r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), r.Header.Get("X-User"), body))
	s.mu.Unlock()
}

// A real https upstream gets each call's method, path, headers (the
// upstream's and the call's) and body, expanded from the data table.
func TestRealUpstreamGetsHeadersAndBody(t *testing.T) {
	t.Parallel()
	var got seen
	srv := httptest.NewUnstartedServer(http.HandlerFunc(got.handler))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted case's handshake errors are expected
	srv.StartTLS()
	defer srv.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, tls string
		wantOK    bool
	}{
		{"verified against ca_file", fmt.Sprintf("{ca_file: %q, server_name: example.com}", caFile), true},
		{"insecure_skip_verify", "{insecure_skip_verify: true}", true},
		{"certificate not trusted", "{}", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got.mu.Lock()
			got.requests = nil
			got.mu.Unlock()
			file := fmt.Sprintf(`name: real
seed: 1
data:
  rows: [{user: alice, plan: pro}, {user: bob, plan: free}]
upstreams:
  api:
    url: %s
    method: POST
    headers: {Authorization: "Bearer s3cret", X-User: "{{.Data.user}}"}
    tls: %s
operation:
  calls:
    - {upstream: api, path: "/orders/{{.Seq}}", body: '{"user": "{{.Data.user}}", "plan": "{{.Data.plan}}"}'}
    - {upstream: api, method: PUT, path: /audit, headers: {x-user: audit}, body: "seq {{.Seq}}"}
strategies: [sequential]
load: {rate: 20/s, operations: 2, duration: 5s}
`, srv.URL, tt.tls)
			sc, err := scenarios.Parse("real.yaml", []byte(file))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Run(t.Context(), sc, Options{Version: "test", Grace: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			s := res.Strategies[0]
			if !tt.wantOK {
				if s.Outcomes.OK != 0 || len(got.requests) != 0 {
					t.Errorf("untrusted certificate: %d ok, %d requests served; want none", s.Outcomes.OK, len(got.requests))
				}
				return
			}
			if s.Outcomes.OK != 2 {
				t.Fatalf("%d of %d operations ok, want 2", s.Outcomes.OK, s.Operations)
			}
			got.mu.Lock()
			defer got.mu.Unlock()
			want := []string{
				`POST /orders/0 auth=Bearer s3cret ct=application/json key=alice body={"user": "alice", "plan": "pro"}`,
				`PUT /audit auth=Bearer s3cret ct=text/plain; charset=utf-8 key=audit body=seq 0`,
				`POST /orders/1 auth=Bearer s3cret ct=application/json key=bob body={"user": "bob", "plan": "free"}`,
				`PUT /audit auth=Bearer s3cret ct=text/plain; charset=utf-8 key=audit body=seq 1`,
			}
			// Each operation's calls in order; the two operations, 50 ms
			// apart, each open a connection, and on a busy machine the
			// second's handshake can finish first: their order is the
			// machine's, not fanbench's.
			if strings.Join(byOperation(got.requests), "\n") != strings.Join(want, "\n") {
				t.Errorf("the upstream received\n%s\nwant\n%s", strings.Join(got.requests, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// operationOf finds a request's operation number: in the path
// (/orders/N) or the body (seq N).
var operationOf = regexp.MustCompile(`(?:/orders/|body=seq )([0-9]+)`)

// byOperation orders requests by their operation number, keeping the
// order of each operation's own.
func byOperation(requests []string) []string {
	out := slices.Clone(requests)
	seq := func(r string) int {
		if m := operationOf.FindStringSubmatch(r); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
		return -1
	}
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(seq(a), seq(b)) })
	return out
}
