package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to write from the command's goroutine
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const mockFile = `seed: 11
upstreams:
  profile:
    mock: {latency: 1ms}
  audit-log:
    mock: {errors: {503: 100%}}
`

// mockRun is fanbench mock running in a goroutine.
type mockRun struct {
	cancel         context.CancelFunc
	done           chan struct{} // closed when Main has returned code
	code           int
	stdout, stderr *syncBuffer
}

// startMock runs fanbench mock with args until the test cancels it, and
// waits until it serves (or exits).
func startMock(t *testing.T, args ...string) *mockRun {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	m := &mockRun{cancel: cancel, done: make(chan struct{}), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	go func() {
		defer close(m.done)
		m.code = Main(ctx, append([]string{"mock"}, args...), m.stdout, m.stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-m.done:
		case <-time.After(10 * time.Second):
			t.Errorf("fanbench mock did not stop within 10s of the cancel")
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(m.stderr.String(), "Ctrl-C") {
		select {
		case <-m.done:
			return m
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("fanbench mock %v did not start within 10s\nstderr: %s", args, m.stderr)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return m
}

// urls parses the NAME  URL lines of stdout.
func (m *mockRun) urls(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(m.stdout.String()), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || !strings.HasPrefix(f[1], "http://") {
			t.Fatalf("stdout line %q is not NAME URL", line)
		}
		out[f[0]] = f[1]
	}
	return out
}

// stop cancels the command and returns its exit code.
func (m *mockRun) stop(t *testing.T) int {
	t.Helper()
	m.cancel()
	select {
	case <-m.done:
		return m.code
	case <-time.After(10 * time.Second):
		t.Fatalf("fanbench mock did not stop within 10s of the cancel")
		return -1
	}
}

func writeFile(t *testing.T, name, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMockServesUntilCancelled(t *testing.T) {
	t.Parallel()
	for _, server := range []string{"fast", "std"} { // fanbench's own HTTP server, net/http's
		t.Run(server, func(t *testing.T) {
			t.Parallel()
			mockServesUntilCancelled(t, server)
		})
	}
}

func mockServesUntilCancelled(t *testing.T, server string) {
	path := writeFile(t, "ups.yaml", mockFile)
	m := startMock(t, "--config", path, "--server", server)
	urls := m.urls(t)
	if len(urls) != 2 || !strings.HasPrefix(urls["profile"], "http://127.0.0.1:") || !strings.HasPrefix(urls["audit-log"], "http://127.0.0.1:") {
		t.Fatalf("stdout = %q, want a line for profile and audit-log on 127.0.0.1", m.stdout)
	}
	if lines := strings.Split(m.stdout.String(), "\n"); !strings.HasPrefix(lines[0], "profile ") {
		t.Errorf("stdout = %q, want the upstreams in file order", m.stdout)
	}
	for _, want := range []string{"serving 2 mock upstreams", "seed 11", "curl -i " + urls["profile"], "/__fanbench/stats"} {
		if !strings.Contains(m.stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, m.stderr)
		}
	}

	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	do := func(method, url, body string, header ...string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, url, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for i := range 3 {
		key := "op-" + strconv.Itoa(i%2)
		if code, body := do("PUT", urls["profile"]+"/users/1", `{"x":1}`, "Idempotency-Key", key); code != 200 || !strings.Contains(body, `"upstream":"profile"`) {
			t.Errorf("PUT profile = %d %q, want 200 from profile", code, body)
		}
		if code, _ := do("POST", urls["audit-log"]+"/log", "", "Fanbench-Seq", strconv.Itoa(i)); code != 503 {
			t.Errorf("POST audit-log = %d, want 503 (errors: {503: 100%%})", code)
		}
	}
	var stats struct {
		Upstream string         `json:"upstream"`
		Received int            `json:"received"`
		Statuses map[string]int `json:"statuses"`
		Injected map[string]any `json:"injected_latency"`
	}
	code, body := do("GET", urls["profile"]+"/__fanbench/stats", "")
	if err := json.Unmarshal([]byte(body), &stats); err != nil || code != 200 || stats.Upstream != "profile" ||
		stats.Received != 3 || stats.Statuses["200"] != 3 || stats.Injected["count"] != 3.0 {
		t.Errorf("GET profile stats = %d %s (%v), want 3 received, 3 answered 200", code, body, err)
	}
	var ledger struct {
		Received       int `json:"received"`
		UniqueKeys     int `json:"unique_keys"`
		DuplicatedKeys int `json:"duplicated_keys"`
	}
	code, body = do("GET", urls["profile"]+"/__fanbench/ledger", "")
	if err := json.Unmarshal([]byte(body), &ledger); err != nil || code != 200 ||
		ledger.Received != 3 || ledger.UniqueKeys != 2 || ledger.DuplicatedKeys != 1 {
		t.Errorf("GET profile ledger = %d %s (%v), want 3 received, 2 unique keys, 1 duplicated", code, body, err)
	}
	if code, body := do("PUT", urls["audit-log"]+"/__fanbench/config", `{"errors": {}}`); code != 200 {
		t.Errorf("PUT audit-log config = %d %s, want 200", code, body)
	}
	if code, _ := do("POST", urls["audit-log"]+"/log", ""); code != 200 {
		t.Errorf("POST audit-log after PUT config {errors: {}} = %d, want 200", code)
	}
	if code, body := do("POST", urls["profile"]+"/__fanbench/reset", ""); code != 204 {
		t.Errorf("POST profile reset = %d %s, want 204", code, body)
	}
	tr.CloseIdleConnections()

	if code := m.stop(t); code != 0 {
		t.Fatalf("fanbench mock exited %d after the cancel, want 0\nstderr: %s", code, m.stderr)
	}
	if !strings.Contains(m.stderr.String(), "stopped; requests received: profile 0, audit-log 4") {
		t.Errorf("stderr lacks the closing counts:\n%s", m.stderr)
	}
	if _, err := c.Get(urls["profile"]); err == nil {
		t.Errorf("GET %s after the stop succeeded, want the server gone", urls["profile"])
	}
}

// --listen HOST:PORT gives the upstreams consecutive ports in file order.
func TestMockListenBasePort(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if port > 65000 {
		t.Skip("the free port is too near the top to ask for the next one too")
	}
	path := writeFile(t, "ups.yaml", mockFile)
	m := startMock(t, path, "--listen", "127.0.0.1:"+strconv.Itoa(port), "--seed", "3")
	select {
	case <-m.done:
		if strings.Contains(m.stderr.String(), "address already in use") {
			t.Skipf("another test took port %d or %d meanwhile", port, port+1)
		}
		t.Fatalf("fanbench mock exited %d at once\nstderr: %s", m.code, m.stderr)
	default:
	}
	urls := m.urls(t)
	for name, p := range map[string]int{"profile": port, "audit-log": port + 1} {
		if want := "http://127.0.0.1:" + strconv.Itoa(p); urls[name] != want {
			t.Errorf("%s listens at %s, want %s", name, urls[name], want)
		}
	}
	if !strings.Contains(m.stderr.String(), "seed 3") {
		t.Errorf("--seed 3 not in force:\n%s", m.stderr)
	}
	if code := m.stop(t); code != 0 {
		t.Errorf("exit %d after the cancel, want 0\nstderr: %s", code, m.stderr)
	}
}

// A port in use is an error of the --listen option: exit 2, naming the upstream.
func TestMockPortInUse(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	path := writeFile(t, "ups.yaml", mockFile)
	var stdout, stderr bytes.Buffer
	code := Main(t.Context(), []string{"mock", "--config", path, "--listen", "127.0.0.1:" + port}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "upstream profile cannot listen on 127.0.0.1:"+port) ||
		!strings.Contains(stderr.String(), "in use") {
		t.Errorf("mock on a port in use exited %d, stderr %q; want 2 naming the upstream and the address", code, &stderr)
	}
	if stdout.Len() != 0 {
		t.Errorf("a failed mock printed %q on stdout, want nothing", &stdout)
	}
}

func TestMockBadInput(t *testing.T) {
	t.Parallel()
	good := writeFile(t, "good.yaml", mockFile)
	withURL := writeFile(t, "url.yaml", "upstreams:\n  a: {mock: {latency: 1ms}}\n  billing: {url: https://billing.example.com}\n")
	badField := writeFile(t, "bad.yaml", "upstreams:\n  a:\n    mock:\n      latency: {dist: unifrom, min: 1ms, max: 2ms}\n")
	tests := []struct {
		name       string
		args       []string
		wantStderr []string
	}{
		{"no file", []string{"mock"}, []string{"mock needs a file of upstreams", "fanbench mock --help"}},
		{"file twice", []string{"mock", good, "--config", good}, []string{"not both"}},
		{"two files", []string{"mock", good, good}, []string{"one file"}},
		{"missing file", []string{"mock", "--config", filepath.Join(t.TempDir(), "nope.yaml")}, []string{"nope.yaml: cannot read the upstreams"}},
		{"url upstream", []string{"mock", "--config", withURL}, []string{withURL + ":3:", "upstreams.billing.url", "nothing to serve"}},
		{"bad field", []string{"mock", "--config", badField}, []string{badField + ":4:", "upstreams.a.mock.latency.dist", `"unifrom"`, "uniform"}},
		{"bad port", []string{"mock", good, "--listen", "127.0.0.1:http"}, []string{`--listen "127.0.0.1:http"`, "0 to 65535"}},
		{"ports past the top", []string{"mock", good, "--listen", "127.0.0.1:65535"}, []string{"past port 65535"}},
		{"bad listen", []string{"mock", good, "--listen", "a b"}, []string{"HOST or HOST:PORT"}},
		{"bad seed", []string{"mock", good, "--seed", "-1"}, []string{"--seed"}},
		{"bad server", []string{"mock", good, "--server", "h2"}, []string{`--server "h2"`, "fast or std"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := Main(t.Context(), tt.args, &stdout, &stderr)
			if code != 2 {
				t.Errorf("fanbench %s exited %d, want 2\nstderr: %s", strings.Join(tt.args, " "), code, &stderr)
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("fanbench %s: stderr lacks %q:\n%s", strings.Join(tt.args, " "), want, &stderr)
				}
			}
			if stdout.Len() != 0 {
				t.Errorf("fanbench %s printed %q on stdout, want nothing", strings.Join(tt.args, " "), &stdout)
			}
		})
	}
}

func TestMockHelp(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if code := Main(t.Context(), []string{"mock", "--help"}, &stdout, &stderr); code != 0 {
		t.Fatalf("mock --help exited %d", code)
	}
	for _, want := range []string{"Examples:", "fanbench mock --config seed.yaml", "--listen", "--seed", "/__fanbench/", "curl"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("mock --help lacks %q:\n%s", want, &stdout)
		}
	}
	stdout.Reset()
	if Main(t.Context(), []string{"--help"}, &stdout, &stderr); !strings.Contains(stdout.String(), "mock") {
		t.Errorf("fanbench --help does not list mock:\n%s", &stdout)
	}
}

func TestParseListen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		host string
		port int
		bad  bool
	}{
		{"", "127.0.0.1", 0, false},
		{"127.0.0.1", "127.0.0.1", 0, false},
		{"0.0.0.0", "0.0.0.0", 0, false},
		{"localhost", "localhost", 0, false},
		{"127.0.0.1:9000", "127.0.0.1", 9000, false},
		{":9000", "127.0.0.1", 9000, false},
		{"0.0.0.0:0", "0.0.0.0", 0, false},
		{"::1", "::1", 0, false},
		{"[::1]", "::1", 0, false},
		{"[::]:9000", "::", 9000, false},
		{"127.0.0.1:70000", "", 0, true},
		{"127.0.0.1:-1", "", 0, true},
		{"host:port", "", 0, true},
		{"a/b", "", 0, true},
	}
	for _, tt := range tests {
		host, port, err := parseListen(tt.in)
		if (err != nil) != tt.bad || host != tt.host || port != tt.port {
			t.Errorf("parseListen(%q) = %q, %d, %v; want %q, %d, error %v", tt.in, host, port, err, tt.host, tt.port, tt.bad)
		}
	}
}

func TestDialURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ url, host, want string }{
		{"http://127.0.0.1:9000", "127.0.0.1", "http://127.0.0.1:9000"},
		{"http://[::1]:9000", "0.0.0.0", "http://127.0.0.1:9000"},
		{"http://[::1]:9000", "::", "http://[::1]:9000"},
		{"http://127.0.0.2:9000", "127.0.0.2", "http://127.0.0.2:9000"}, // a host of its own: kept
		{"http://localhost:9000", "localhost", "http://localhost:9000"},
	}
	for _, tt := range tests {
		if got := dialURL(tt.url, tt.host); got != tt.want {
			t.Errorf("dialURL(%q, %q) = %q, want %q", tt.url, tt.host, got, tt.want)
		}
	}
}

// TestMockAdminWarning: the mock says who can change it when it listens
// beyond this machine, and what a token changes.
func TestMockAdminWarning(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ host, token, want string }{
		{"127.0.0.1", "", ""},
		{"localhost", "", ""},
		{"::1", "", ""},
		{"0.0.0.0", "", "listening on 0.0.0.0: other machines can reach the mocks and read their admin endpoints; admin writes (PUT config, POST reset) are refused from them unless --admin-token (or FANBENCH_ADMIN_TOKEN) sets a token they send"},
		{"10.1.2.3", "t", "listening on 10.1.2.3: other machines can reach the mocks and read their admin endpoints; admin writes (PUT config, POST reset) need the admin token: Authorization: Bearer TOKEN"},
		{"127.0.0.1", "t", "admin writes (PUT config, POST reset) need the admin token: Authorization: Bearer TOKEN"},
	} {
		if got := adminWarning(tt.host, tt.token); got != tt.want {
			t.Errorf("adminWarning(%q, %q) = %q, want %q", tt.host, tt.token, got, tt.want)
		}
	}
}

// TestMockAdminToken: with --admin-token, every admin write must carry it.
func TestMockAdminToken(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "ups.yaml", mockFile)
	m := startMock(t, "--config", path, "--admin-token", "s3cret")
	url := m.urls(t)["profile"] + "/__fanbench/reset"
	for _, tt := range []struct {
		auth string
		want int
	}{{"", http.StatusUnauthorized}, {"Bearer guess", http.StatusUnauthorized}, {"Bearer s3cret", http.StatusNoContent}} {
		req, _ := http.NewRequest(http.MethodPost, url, nil)
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("POST reset with %q: %d, want %d", tt.auth, resp.StatusCode, tt.want)
		}
	}
	http.DefaultClient.CloseIdleConnections()
	if !strings.Contains(m.stderr.String(), "admin writes (PUT config, POST reset) need the admin token") {
		t.Errorf("stderr does not say writes need the token:\n%s", m.stderr)
	}
}
