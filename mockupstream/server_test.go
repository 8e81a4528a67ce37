package mockupstream

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"

	"github.com/fanbench/fanbench/units"
)

// start runs a mock upstream on loopback for the length of the test.
func start(t *testing.T, opts Options) *Server {
	t.Helper()
	srv, err := Start(opts)
	if err != nil {
		t.Fatalf("Start(%+v): %v", opts, err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return srv
}

// client is an HTTP client of its own, so that its idle connections are
// closed with the test and goleak sees no stray goroutine.
func client(t *testing.T, timeout time.Duration) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: timeout}
}

type answer struct {
	status int
	header http.Header
	body   string
}

// get sends one request to srv; seq < 0 sends no protocol headers.
func get(t *testing.T, c *http.Client, srv *Server, seq int64, attempt uint32) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL()+"/users/1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if seq >= 0 {
		req.Header.Set(draws.HeaderSeq, strconv.FormatInt(seq, 10))
		req.Header.Set(draws.HeaderAttempt, strconv.FormatUint(uint64(attempt), 10))
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s seq %d attempt %d: %v", req.URL, seq, attempt, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the answer to seq %d attempt %d: %v", seq, attempt, err)
	}
	return answer{resp.StatusCode, resp.Header, string(body)}
}

// eventually polls cond for up to 5s, so tests wait for the server's side of
// a cancellation without a fixed sleep.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 5s: %s never happened", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestServerFixedLatency(t *testing.T) {
	t.Parallel()
	const lat = 30 * time.Millisecond
	srv := start(t, Options{Name: "profile", Seed: 42, Config: Config{Latency: draws.Latency{Value: units.Duration(lat)}}})
	c := client(t, 10*time.Second)
	for seq := range int64(3) {
		t0 := time.Now()
		got := get(t, c, srv, seq, 0)
		// Only a lower bound: a loaded machine may answer late, never early.
		if took := time.Since(t0); took < lat {
			t.Errorf("seq %d answered after %v, want at least %v", seq, took, lat)
		}
		var body struct {
			Upstream string `json:"upstream"`
			Seq      int64  `json:"seq"`
			Attempt  uint32 `json:"attempt"`
		}
		if err := json.Unmarshal([]byte(got.body), &body); err != nil || got.status != 200 ||
			body.Upstream != "profile" || body.Seq != seq || body.Attempt != 0 {
			t.Errorf("seq %d: got %d %q (%v), want 200 with upstream profile, seq %d, attempt 0", seq, got.status, got.body, err, seq)
		}
		if h := got.header.Get(draws.HeaderUpstream); h != "profile" {
			t.Errorf("seq %d: %s = %q, want %q", seq, draws.HeaderUpstream, h, "profile")
		}
		if ct := got.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("seq %d: Content-Type = %q, want application/json", seq, ct)
		}
	}
}

func TestServerPairedStatuses(t *testing.T) {
	t.Parallel()
	cfg := Config{Errors: map[int]units.Fraction{429: 0.1, 500: 0.1, 503: 0.3}}
	srv := start(t, Options{Name: "audit", Seed: 7, Config: cfg})
	d := NewDrawer(7, "audit", mustCompile(t, cfg))
	c := client(t, 10*time.Second)
	want := map[int]uint64{}
	for seq := range int64(150) {
		for attempt := range uint32(2) {
			w := d.Draw(uint64(seq), attempt).Status
			want[w]++
			got := get(t, c, srv, seq, attempt)
			if got.status != w {
				t.Errorf("seq %d attempt %d: status %d, want %d as Drawer.Draw says", seq, attempt, got.status, w)
			}
			if ra := got.header.Get("Retry-After"); (w == 429 || w == 503) != (ra != "") {
				t.Errorf("seq %d attempt %d: status %d with Retry-After %q; want Retry-After on 429 and 503 only", seq, attempt, got.status, ra)
			}
		}
	}
	st := srv.Stats()
	if len(want) < 3 || !mapsEqual(st.Statuses, want) || st.Received != 300 || st.InFlight != 0 {
		t.Errorf("Stats() = %+v, want 300 received, statuses %v, none in flight", st, want)
	}
}

func mapsEqual(a, b map[int]uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestServerWithoutHeaders(t *testing.T) {
	t.Parallel()
	cfg := Config{Errors: map[int]units.Fraction{503: 0.5}}
	srv := start(t, Options{Name: "plain", Seed: 1, Config: cfg})
	d := NewDrawer(1, "plain", mustCompile(t, cfg))
	c := client(t, 10*time.Second)
	check := func(round string) {
		for i := range uint64(20) {
			got := get(t, c, srv, -1, 0)
			wantSeq := `"seq":` + strconv.FormatUint(i, 10) + `,`
			if w := d.Draw(i, 0).Status; got.status != w || !strings.Contains(got.body, wantSeq) {
				t.Errorf("%s: request %d without headers got %d %q, want %d and %s", round, i, got.status, got.body, w, wantSeq)
			}
		}
	}
	check("first round")
	srv.Reset()
	if st := srv.Stats(); st.Received != 0 || len(st.Statuses) != 0 {
		t.Errorf("Stats() after Reset = %+v, want zeroes", st)
	}
	check("after Reset") // the seq counter starts again at 0
}

func TestServerMalformedHeaders(t *testing.T) {
	t.Parallel()
	srv := start(t, Options{Name: "profile"})
	c := client(t, 10*time.Second)
	tests := []struct {
		name, header string
		values       []string
	}{
		{"seq not a number", draws.HeaderSeq, []string{"twelve"}},
		{"seq negative", draws.HeaderSeq, []string{"-3"}},
		{"seq twice", draws.HeaderSeq, []string{"1", "2"}},
		{"attempt too big", draws.HeaderAttempt, []string{"99999999999"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(http.MethodGet, srv.URL(), nil)
			req.Header[tt.header] = tt.values
			resp, err := c.Do(req)
			if err != nil {
				t.Fatalf("GET with %s %q: %v", tt.header, tt.values, err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), tt.header) {
				t.Errorf("GET with %s %q = %d %q, want 400 naming %s", tt.header, tt.values, resp.StatusCode, body, tt.header)
			}
		})
	}
}

func TestServerBodies(t *testing.T) {
	t.Parallel()
	srv := start(t, Options{Name: "profile"})
	c := client(t, 10*time.Second)
	tests := []struct {
		size int
		want int
	}{
		{0, http.StatusOK},
		{1 << 10, http.StatusOK},
		{maxBodyBytes, http.StatusOK},
		{maxBodyBytes + 1, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		resp, err := c.Post(srv.URL(), "application/octet-stream", strings.NewReader(strings.Repeat("x", tt.size)))
		if err != nil {
			t.Fatalf("POST of %d bytes: %v", tt.size, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("POST of %d bytes = %d, want %d", tt.size, resp.StatusCode, tt.want)
		}
	}
}

func TestServerClientGivesUp(t *testing.T) {
	t.Parallel()
	srv := start(t, Options{Name: "slow", Config: Config{Latency: draws.Latency{Value: units.Duration(10 * time.Second)}}})
	c := client(t, 50*time.Millisecond)
	resp, err := c.Get(srv.URL())
	if err == nil {
		resp.Body.Close()
		t.Fatalf("GET with a 50ms timeout against a 10s latency = %d, want a timeout error", resp.StatusCode)
	}
	eventually(t, "the handler to return and count the cancel", func() bool {
		st := srv.Stats()
		return st.InFlight == 0 && st.Cancelled == 1
	})
	if st := srv.Stats(); st.Received != 1 || len(st.Statuses) != 0 || st.Aborted != 0 {
		t.Errorf("Stats() = %+v, want 1 received, 1 cancelled, nothing answered", st)
	}
}

func TestServerCloseInFlight(t *testing.T) {
	t.Parallel()
	const n = 3
	srv, err := Start(Options{Name: "slow", Config: Config{Latency: draws.Latency{Value: units.Duration(10 * time.Second)}}})
	if err != nil {
		t.Fatal(err)
	}
	c := client(t, 20*time.Second)
	var wg sync.WaitGroup
	results := make([]string, n)
	for i := range n {
		wg.Go(func() {
			resp, err := c.Get(srv.URL())
			if err != nil {
				results[i] = "error" // the connection closed under it: acceptable
				return
			}
			defer resp.Body.Close()
			_, _ = io.Copy(io.Discard, resp.Body)
			results[i] = strconv.Itoa(resp.StatusCode)
		})
	}
	eventually(t, "3 requests in flight", func() bool { return srv.Stats().InFlight == n })
	t0 := time.Now()
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	// A bound far below the 10s latency, not a speed measurement.
	if took := time.Since(t0); took > 5*time.Second {
		t.Errorf("Close with %d delayed requests in flight took %v, want it prompt", n, took)
	}
	wg.Wait()
	for i, r := range results {
		if r != "503" && r != "error" {
			t.Errorf("request %d cut short by Close got %s, want 503 or a connection error", i, r)
		}
	}
	if st := srv.Stats(); st.Aborted != n || st.InFlight != 0 || st.Cancelled != 0 {
		t.Errorf("Stats() after Close = %+v, want %d aborted, 0 in flight, 0 cancelled", st, n)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}

func TestDialable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}, "127.0.0.1:80"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 80}, "127.0.0.1:80"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 80}, "[::1]:80"},
		{&net.TCPAddr{Port: 80}, "127.0.0.1:80"},
	}
	for _, tt := range tests {
		if got := dialable(tt.addr); got != tt.want {
			t.Errorf("dialable(%v) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

func TestServerURLAndName(t *testing.T) {
	t.Parallel()
	srv := start(t, Options{Name: `odd "name"`})
	if !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") || srv.Name() != `odd "name"` {
		t.Errorf("URL(), Name() = %q, %q; want http://127.0.0.1:PORT, %q", srv.URL(), srv.Name(), `odd "name"`)
	}
	got := get(t, client(t, 10*time.Second), srv, 1, 0)
	var body map[string]any
	if err := json.Unmarshal([]byte(got.body), &body); err != nil || body["upstream"] != `odd "name"` {
		t.Errorf("body %q (%v), want valid JSON with the name escaped", got.body, err)
	}
}

// BenchmarkServe measures the handler alone, with zero latency: the cost the
// mock adds to every request on top of net/http.
func BenchmarkServe(b *testing.B) {
	srv, err := Start(Options{Name: "profile", Config: Config{Errors: map[int]units.Fraction{503: 0.01}}})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	h := srv.Handler()
	req := httptest.NewRequest(http.MethodGet, "/users/1", nil)
	req.Header.Set(draws.HeaderSeq, "12")
	req.Header.Set(draws.HeaderAttempt, "0")
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}

// BenchmarkServeLoopback measures whole requests over loopback, client
// included, to compare with BenchmarkServe.
func BenchmarkServeLoopback(b *testing.B) {
	srv, err := Start(Options{Name: "profile"})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := c.Get(srv.URL())
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}
