package strategies

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fanbench/fanbench/calltemplate"
)

// wireRequest is what a server saw of one request.
type wireRequest struct {
	Method, URI, Host, Body string
	Header                  http.Header
}

// recordServer answers 200 to everything and records each request.
func recordServer(t *testing.T) (*httptest.Server, func() []wireRequest) {
	t.Helper()
	var mu sync.Mutex
	var seen []wireRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h := r.Header.Clone()
		h.Del("User-Agent") // each client names itself
		if r.ContentLength > 0 || len(r.TransferEncoding) > 0 {
			h.Set("X-Framing", strings.Join(r.TransferEncoding, ","))
		}
		mu.Lock()
		seen = append(seen, wireRequest{r.Method, r.RequestURI, r.Host, string(body), h})
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv, func() []wireRequest {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

func mustHeader(t *testing.T, name, value string) Header {
	t.Helper()
	v, err := calltemplate.Parse(value, calltemplate.Env{})
	if err != nil {
		t.Fatal(err)
	}
	return NewHeader(name, v)
}

// TestFastRequestsMatchStd: the fast client puts on the wire what the std
// client does (but its User-Agent): method, target, Host, fanbench's
// headers, the call's own (which win), the body and its length.
func TestFastRequestsMatchStd(t *testing.T) {
	t.Parallel()
	srv, seen := recordServer(t)
	body := mustPath(t, `{"seq": {{.Seq}}}`)
	calls := []Call{
		{Index: 0, Method: "GET", BaseURL: srv.URL, Path: mustPath(t, "/users/{{.Seq}}?full=1")},
		{Index: 1, Method: "HEAD", BaseURL: srv.URL},
		{Index: 2, Method: "POST", BaseURL: srv.URL, Path: mustPath(t, "/log"), Body: body, ContentType: "application/json",
			Ordinal: 2, OrdinalHeader: []string{"2"}},
		{Index: 3, Method: "PUT", BaseURL: srv.URL + "/v1?key=k", Path: mustPath(t, "/x")},
		{Index: 4, Method: "DELETE", BaseURL: srv.URL, Path: mustPath(t, "/d")},
		{Index: 5, Method: "PATCH", BaseURL: srv.URL, Path: mustPath(t, "/p"), Body: body, Headers: []Header{
			mustHeader(t, "Host", "api.example.com"), mustHeader(t, "Idempotency-Key", "mine-{{.Seq}}"),
			mustHeader(t, "Content-Type", "text/x-mine"), mustHeader(t, "X-Trace", "t-{{.Seq}}"),
			mustHeader(t, "Content-Length", "999")}},
	}
	for _, client := range []Client{ClientStd, ClientFast} {
		hc := NewHTTPCaller(HTTPOptions{Client: client})
		for i := range calls {
			if r := hc.CallFrom(t.Context(), 41, 3, &calls[i]); r.Status != 200 {
				t.Fatalf("%s: call %d: %+v", client, i, r)
			}
		}
		hc.Close()
	}
	got := seen()
	if len(got) != 2*len(calls) {
		t.Fatalf("server saw %d requests, want %d", len(got), 2*len(calls))
	}
	for i := range calls {
		std, fast := got[i], got[len(calls)+i]
		if std.Method != fast.Method || std.URI != fast.URI || std.Host != fast.Host || std.Body != fast.Body ||
			!headersEqual(std.Header, fast.Header) {
			t.Errorf("call %d:\nstd  %+v\nfast %+v", i, std, fast)
		}
	}
}

func headersEqual(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestFastCallerCancelsInFlight: a cancelled context ends a call in
// flight at once, as canceled, and the server sees its connection close;
// a context's deadline ends it as a timeout.
func TestFastCallerCancelsInFlight(t *testing.T) {
	t.Parallel()
	gone := make(chan struct{}, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done(): // the client closed the connection
			gone <- struct{}{}
		case <-time.After(20 * time.Second):
		}
	}))
	defer srv.Close()
	hc := NewHTTPCaller(HTTPOptions{Client: ClientFast, Timeout: 30 * time.Second})
	defer hc.Close()
	call := &Call{Method: "GET", BaseURL: srv.URL}

	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	r := hc.Call(ctx, 1, call)
	if r.Failure != FailureCanceled || r.Latency > 10*time.Second {
		t.Errorf("cancelled call = %+v, want canceled, well before the server's 20s", r)
	}
	dctx, dcancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer dcancel()
	if r := hc.Call(dctx, 2, call); r.Failure != FailureTimeout {
		t.Errorf("call past its context's deadline = %+v, want timeout", r)
	}
	for i := range 2 {
		select {
		case <-gone:
		case <-time.After(10 * time.Second):
			t.Fatalf("the server saw %d of 2 connections closed", i)
		}
	}
	if n := hc.OpenConns(); n != 0 {
		t.Errorf("%d connections open after both calls were cut off, want 0", n)
	}
}

// slowFirstServer answers attempt 0 of every call after 20 s (or when its
// connection closes, which it counts) and the others once an attempt 0
// has arrived, so that the slow request is in flight, not still to be
// sent, when a quick answer makes the caller give it up.
func slowFirstServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var cut atomic.Int64
	arrived := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Fanbench-Attempt") != "0" {
			select {
			case <-arrived:
			case <-time.After(10 * time.Second):
			}
			return
		}
		once.Do(func() { close(arrived) })
		select {
		case <-r.Context().Done():
			cut.Add(1)
		case <-time.After(20 * time.Second):
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &cut
}

// TestFastCallerHedgeCancelsTheLoser: the hedge answers, the first
// request is cancelled in flight, and its connection closes.
func TestFastCallerHedgeCancelsTheLoser(t *testing.T) {
	t.Parallel()
	srv, cut := slowFirstServer(t)
	hc := NewHTTPCaller(HTTPOptions{Client: ClientFast})
	defer hc.Close()
	h, err := NewHedged(hc, HedgeOptions{HedgeDelay: HedgeDelay{Fixed: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	op := NewOperation([]Call{{Method: "GET", BaseURL: srv.URL, Upstream: "a"}})
	if got := h.Execute(t.Context(), op); got != OK || !op.Results[0].HedgeWon {
		t.Fatalf("outcome %v, result %+v; want ok, won by the hedge", got, op.Results[0])
	}
	if op.Results[0].Latency > 10*time.Second {
		t.Errorf("latency %v: the loser was waited for", op.Results[0].Latency)
	}
	waitFor(t, "the loser's connection to close", func() bool { return cut.Load() == 1 })
}

// TestFastCallerWaitForGivesUp: fanout's wait_for gives the slow call up
// in flight; it ends as given up, and its connection closes.
func TestFastCallerWaitForGivesUp(t *testing.T) {
	t.Parallel()
	srv, cut := slowFirstServer(t)
	fast, err := NewHTTPCaller(HTTPOptions{Client: ClientFast}), error(nil)
	defer fast.Close()
	f := &Fanout{Caller: fast, WaitFor: WaitFor{Count: 1}}
	op := NewOperation([]Call{
		{Index: 0, Method: "GET", BaseURL: srv.URL, Upstream: "slow"},
		{Index: 1, Method: "GET", BaseURL: srv.URL, Upstream: "quick", Path: mustPath(t, "/?attempt")},
	})
	// The quick call's first attempt is answered at once: number it past 0.
	op.Calls[1].Headers = []Header{mustHeader(t, "Fanbench-Attempt", "1")}
	if got := f.Execute(t.Context(), op); got != OK || err != nil {
		t.Fatalf("outcome %v; want ok", got)
	}
	if r := op.Results[0]; r.Failure != FailureGivenUp {
		t.Errorf("slow call = %+v, want given up", r)
	}
	waitFor(t, "the given-up call's connection to close", func() bool { return cut.Load() == 1 })
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for range 1000 {
		if ok() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("timed out waiting for %s", what)
}

// TestFastCallerTLSPerUpstream: each upstream's calls are checked against
// its own TLS settings.
func TestFastCallerTLSPerUpstream(t *testing.T) {
	t.Parallel()
	var servers [2]*httptest.Server
	var confs = map[int]*tls.Config{}
	for i := range servers {
		s := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		s.Config.ErrorLog = log.New(io.Discard, "", 0)
		if i == 1 { // the other has httptest's own certificate
			s.TLS = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}
		}
		s.StartTLS()
		defer s.Close()
		servers[i] = s
		roots := x509.NewCertPool()
		roots.AddCert(s.Certificate())
		confs[i] = &tls.Config{RootCAs: roots}
	}
	eachClient(t, func(t *testing.T, client Client) {
		hc := NewHTTPCaller(HTTPOptions{Client: client, TLS: confs})
		defer hc.Close()
		for _, tt := range []struct {
			upstream, server int
			want             Failure
		}{{0, 0, NoFailure}, {1, 1, NoFailure}, {0, 1, FailureTLS}, {1, 0, FailureTLS}, {2, 0, FailureTLS}} {
			r := hc.Call(t.Context(), 1, &Call{Method: "GET", UpstreamIndex: tt.upstream, BaseURL: servers[tt.server].URL})
			if r.Failure != tt.want || (tt.want == NoFailure && r.Status != 200) {
				t.Errorf("upstream %d to server %d: %+v, want failure %v", tt.upstream, tt.server, r, tt.want)
			}
		}
	})
}

// selfSigned returns a new certificate for 127.0.0.1, signed by itself.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "fanbench test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestFastCallerIdleCloseIsNoFailure: a server that closes a kept-alive
// connection while it is idle costs no failed attempt: the close is seen
// before the request is written, and each attempt reaches the server
// exactly once.
func TestFastCallerIdleCloseIsNoFailure(t *testing.T) {
	t.Parallel()
	var requests atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer ln.Close()
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { // one answer with keep-alive, then a close while idle
				defer c.Close()
				if _, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
					requests.Add(1)
					_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
					time.Sleep(20 * time.Millisecond)
				}
			})
		}
	})
	hc := NewHTTPCaller(HTTPOptions{Client: ClientFast})
	defer hc.Close()
	call := &Call{Method: "POST", BaseURL: "http://" + ln.Addr().String()}
	for seq := range uint64(3) {
		if r := hc.Call(t.Context(), seq, call); r.Status != 200 {
			t.Errorf("call %d = %+v, want 200", seq, r)
		}
		time.Sleep(250 * time.Millisecond) // idle past the close and the pool's check
	}
	if n := requests.Load(); n != 3 {
		t.Errorf("server saw %d requests, want 3", n)
	}
}

// rawServer answers every request 200 from fixed buffers, allocating
// nothing per request (testing.AllocsPerRun counts the whole process's
// allocations, the server's too). It reads requests whose head and body
// arrive in one piece, as the fast client writes them.
func rawServer(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	answer := []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
			wg.Go(func() {
				buf := make([]byte, 64<<10)
				n := 0
				for {
					end := bytes.Index(buf[:n], []byte("\r\n\r\n"))
					if end < 0 {
						k, err := c.Read(buf[n:])
						if err != nil {
							return
						}
						n += k
						continue
					}
					length := 0
					if i := bytes.Index(buf[:end], []byte("Content-Length: ")); i >= 0 {
						for _, d := range buf[i+16 : end] {
							if d < '0' || d > '9' {
								break
							}
							length = length*10 + int(d-'0')
						}
					}
					whole := end + 4 + length
					for n < whole {
						k, err := c.Read(buf[n:])
						if err != nil {
							return
						}
						n += k
					}
					n = copy(buf, buf[whole:n])
					if _, err := c.Write(answer); err != nil {
						return
					}
				}
			})
		}
	})
	return "http://" + ln.Addr().String()
}

// TestFastCallerAllocs: a call through the fast client allocates nothing,
// with a context that cannot be cancelled and with a long-lived one.
func TestFastCallerAllocs(t *testing.T) {
	base := rawServer(t)
	hc := NewHTTPCaller(HTTPOptions{Client: ClientFast})
	defer hc.Close()
	call := &Call{Method: "POST", BaseURL: base, Path: mustPath(t, "/users/{{.Seq}}"), Body: mustPath(t, `{"n": {{.Seq}}}`),
		Headers: []Header{mustHeader(t, "X-Trace", "t-{{.Seq}}")}}
	for name, ctx := range map[string]context.Context{"background": context.Background(), "cancellable": t.Context()} {
		seq := uint64(0)
		allocs := testing.AllocsPerRun(200, func() {
			seq++
			if r := hc.Attempt(ctx, seq, 0, call); r.Status != 200 {
				t.Fatalf("%+v", r)
			}
		})
		if allocs != 0 {
			t.Errorf("%s context: %v allocations per call, want 0", name, allocs)
		}
	}
	// Under a policy with an attempt timeout, passed as a deadline.
	pc, err := NewPolicyCaller(hc, []Policy{{Timeout: 5 * time.Second, Retry: Retry{Attempts: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	seq := uint64(0)
	if allocs := testing.AllocsPerRun(200, func() {
		seq++
		if r := pc.Call(t.Context(), seq, call); r.Status != 200 {
			t.Fatalf("%+v", r)
		}
	}); allocs != 0 {
		t.Errorf("under a timeout policy: %v allocations per call, want 0", allocs)
	}
}

// FuzzFastRequest: whatever the base URL, path and header value, a request
// the fast client writes is one net/http reads, for the host and target
// the call meant; what it cannot write it leaves to the std client.
func FuzzFastRequest(f *testing.F) {
	f.Add("http://127.0.0.1:8080", "/users/{{.Seq}}?a=b", "v", "x")
	f.Add("https://[::1]/v1?k=1#frag", "", "t-{{.Seq}}", "")
	f.Add("http://user:pw@h", "/x", "a\r\nb", "body")
	f.Fuzz(func(t *testing.T, base, path, value, body string) {
		p, err1 := calltemplate.Parse(path, calltemplate.Env{})
		v, err2 := calltemplate.Parse(value, calltemplate.Env{})
		b, err3 := calltemplate.Parse(body, calltemplate.Env{})
		if err1 != nil || err2 != nil || err3 != nil {
			return
		}
		fc := newFastCaller(HTTPOptions{}, nil)
		defer fc.close()
		call := &Call{Method: "POST", BaseURL: base, Path: p, Body: b, Headers: []Header{NewHeader("X-V", v)}}
		tg, prefix := fc.targetFor(call)
		if tg.pool == nil {
			return
		}
		req, ok := appendRequest(nil, tg.host, prefix, 7, 0, call)
		if !ok {
			return
		}
		r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(req)))
		if err != nil {
			t.Fatalf("base %q path %q: net/http cannot read %q: %v", base, path, req, err)
		}
		got, _ := io.ReadAll(r.Body)
		if r.Host != tg.host || string(got) != b.Expand(7) || r.Header.Get("X-V") != strings.Trim(v.Expand(7), " \t") {
			t.Fatalf("base %q: read host %q body %q X-V %q from %q", base, r.Host, got, r.Header.Get("X-V"), req)
		}
	})
}

// TestHTTPCallerLargeBodies: bodies of a megabyte, with a length, chunked
// and to the end of the connection, are read whole by both clients.
func TestHTTPCallerLargeBodies(t *testing.T) {
	t.Parallel()
	body := bytes.Repeat([]byte("x"), 1<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/length":
			w.Header().Set("Content-Length", "1048576")
		case "/chunked":
			w.(http.Flusher).Flush() // no length: chunked
		case "/close":
			w.Header().Set("Connection", "close") // no length, HTTP/1.0 style
			conn, buf, _ := w.(http.Hijacker).Hijack()
			defer conn.Close()
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\n\r\n")
			_, _ = buf.Write(body)
			_ = buf.Flush()
			return
		}
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	eachClient(t, func(t *testing.T, client Client) {
		hc := NewHTTPCaller(HTTPOptions{Client: client})
		defer hc.Close()
		for _, path := range []string{"/length", "/chunked", "/close", "/length"} {
			r := hc.Call(t.Context(), 1, &Call{Method: "GET", BaseURL: srv.URL, Path: mustPath(t, path)})
			if r.Status != 200 {
				t.Errorf("%s: %+v, want 200", path, r)
			}
		}
	})
}

// TestPolicyTimeoutThroughBothClients: a policy's attempt timeout ends
// each attempt (passed as a deadline, not a context), as a timeout that
// the retry policy retries, and the server sees every attempt's
// connection close.
func TestPolicyTimeoutThroughBothClients(t *testing.T) {
	t.Parallel()
	srv, cut := slowFirstServer(t)
	eachClient(t, func(t *testing.T, client Client) {
		before := cut.Load()
		hc := NewHTTPCaller(HTTPOptions{Client: client})
		defer hc.Close()
		pc, err := NewPolicyCaller(hc, []Policy{{Timeout: 50 * time.Millisecond,
			Retry: Retry{Attempts: 2, Backoff: time.Millisecond, Jitter: JitterNone}}})
		if err != nil {
			t.Fatal(err)
		}
		// Both attempts are numbered 0 by their header: both hang.
		call := &Call{Method: "GET", BaseURL: srv.URL, Headers: []Header{mustHeader(t, "Fanbench-Attempt", "0")}}
		r := pc.Call(t.Context(), 1, call)
		if r.Failure != FailureTimeout || r.Attempts != 2 || r.Latency > 10*time.Second {
			t.Errorf("call = %+v, want 2 attempts, timed out, well before the server's 20 s", r)
		}
		waitFor(t, "both attempts' connections to close", func() bool { return cut.Load()-before == 2 })
	})
}
