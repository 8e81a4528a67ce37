package mockupstream

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/units"
)

// TestSlowBodyIsCut: a client sending its body a byte at a time is answered
// 408 and disconnected once the body's wait has passed, instead of holding
// the connection; a body sent at once followed by an injected delay longer
// than that wait is answered as usual (the deadline is lifted after the
// body).
func TestSlowBodyIsCut(t *testing.T) {
	t.Parallel()
	s, err := Start(Options{Name: "slow", BodyReadWait: 200 * time.Millisecond,
		Config: Config{Latency: draws.Latency{Value: units.Duration(400 * time.Millisecond)}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nx"); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a slow body: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestTimeout || !resp.Close || !strings.Contains(string(body), "took over 200ms") {
		t.Errorf("slow body: %d %q (close %v), want 408 saying so, and the connection closed", resp.StatusCode, body, resp.Close)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("the slow body held the connection %v", took)
	}

	resp, err = http.Post(s.URL()+"/", "text/plain", strings.NewReader("a body sent at once"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("a fast body before a delay longer than the body's wait: %d, want 200", resp.StatusCode)
	}
}

// TestAdminWrites: without a token, admin writes are taken from loopback
// peers only; with one, from any peer that sends it; reads are open.
func TestAdminWrites(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, token, peer, auth, method string
		want                            int
	}{
		{"loopback", "", "127.0.0.1:5000", "", http.MethodPost, http.StatusNoContent},
		{"loopback v6", "", "[::1]:5000", "", http.MethodPost, http.StatusNoContent},
		{"from the network", "", "192.0.2.1:5000", "", http.MethodPost, http.StatusForbidden},
		{"a read from the network", "", "192.0.2.1:5000", "", http.MethodGet, http.StatusOK},
		{"token from the network", "s3cret", "192.0.2.1:5000", "Bearer s3cret", http.MethodPost, http.StatusNoContent},
		{"wrong token", "s3cret", "192.0.2.1:5000", "Bearer guess", http.MethodPost, http.StatusUnauthorized},
		{"no token, loopback", "s3cret", "127.0.0.1:5000", "", http.MethodPost, http.StatusUnauthorized},
	} {
		s, err := Start(Options{Name: "a", AdminToken: tt.token})
		if err != nil {
			t.Fatal(err)
		}
		path := AdminPrefix + "reset"
		if tt.method == http.MethodGet {
			path = AdminPrefix + "stats"
		}
		req := httptest.NewRequest(tt.method, path, nil)
		req.RemoteAddr = tt.peer
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s: %s %s answered %d %q, want %d", tt.name, tt.method, path, rec.Code, rec.Body, tt.want)
		}
		if tt.want == http.StatusForbidden && !strings.Contains(rec.Body.String(), "--admin-token (or FANBENCH_ADMIN_TOKEN)") {
			t.Errorf("%s: the refusal does not say how to allow it: %q", tt.name, rec.Body)
		}
		_ = s.Close()
	}
}

// TestAdminRefusesExtremeDistributions: a Pareto shape or a lognormal sigma
// whose draws are no delays at all ("never", or 0 ms) is refused with the
// allowed range.
func TestAdminRefusesExtremeDistributions(t *testing.T) {
	t.Parallel()
	s, err := Start(Options{Name: "a"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for body, want := range map[string]string{
		`{"latency": {"dist": "pareto", "scale": "10ms", "shape": 1e-300}}`:    "shape is 1e-300; allowed: 1 to 100",
		`{"latency": {"dist": "lognormal", "median": "40ms", "sigma": 1e308}}`: "sigma is 1e+308; allowed: 0.01 to 5",
	} {
		req, _ := http.NewRequest(http.MethodPut, s.URL()+AdminPrefix+"config", bytes.NewReader([]byte(body)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(got), want) {
			t.Errorf("PUT %s: %d %s, want 400 saying %q", body, resp.StatusCode, got, want)
		}
	}
}
