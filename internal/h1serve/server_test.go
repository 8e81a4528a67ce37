package h1serve

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// served is a Server on loopback, with what a test reads of it.
type served struct {
	addr     string
	srv      *Server
	accepted atomic.Int64 // connections accepted
	handed   atomic.Int64 // connections the fallback took
	stopBase context.CancelFunc
	log      *lockedBuffer
}

// serve starts h on loopback behind a Server, stopped at the test's end.
func serve(t testing.TB, h http.Handler) *served {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base, stop := context.WithCancel(context.Background())
	s := &served{addr: ln.Addr().String(), stopBase: stop, log: &lockedBuffer{}}
	fallback := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       30 * time.Second,
		MaxHeaderBytes:    16 << 10,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          log.New(s.log, "", 0),
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				s.handed.Add(1)
			}
		},
	}
	s.srv = New(fallback, base)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = s.srv.Serve(countingListener{ln, &s.accepted})
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		<-served
		stop()
	})
	return s
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// echo answers what it received.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("X-Seq", r.Header.Get("Fanbench-Seq"))
	fmt.Fprintf(w, "%s %s ?%s host=%s body=%q", r.Method, r.URL.Path, r.URL.RawQuery, r.Host, body)
})

func TestServesOnOneConnection(t *testing.T) {
	t.Parallel()
	s := serve(t, echo)
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	for i := range 30 {
		method, body := http.MethodGet, ""
		if i%3 == 1 {
			method, body = http.MethodPost, strings.Repeat("b", i)
		}
		req, _ := http.NewRequest(method, fmt.Sprintf("http://%s/p/%d?q=%d", s.addr, i, i), strings.NewReader(body))
		req.Header.Set("Fanbench-Seq", fmt.Sprint(i))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		want := fmt.Sprintf("%s /p/%d ?q=%d host=%s body=%q", method, i, i, s.addr, body)
		if resp.StatusCode != http.StatusOK || string(got) != want || resp.Header.Get("X-Seq") != fmt.Sprint(i) {
			t.Fatalf("request %d: %d %q (X-Seq %q), want 200 %q", i, resp.StatusCode, got, resp.Header.Get("X-Seq"), want)
		}
	}
	if a, h := s.accepted.Load(), s.handed.Load(); a != 1 || h != 0 {
		t.Errorf("%d connections accepted, %d handed to net/http; want 1 and 0", a, h)
	}
}

// dial connects to addr for at most 10 s, closed at the test's end.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

// exchange writes raw on a new connection and reads n answers.
func exchange(t *testing.T, addr, raw string, n int, method string) []*http.Response {
	t.Helper()
	c := dial(t, addr)
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	var out []*http.Response
	for range n {
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			t.Fatalf("reading answer %d of %d to %q: %v", len(out)+1, n, raw, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body = io.NopCloser(bytes.NewReader(body))
		out = append(out, resp)
	}
	return out
}

func TestPipelinedRequests(t *testing.T) {
	t.Parallel()
	s := serve(t, echo)
	raw := "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhiGET /3 HTTP/1.1\r\nHost: h\r\n\r\n"
	for i, resp := range exchange(t, s.addr, raw, 3, http.MethodGet) {
		body, _ := io.ReadAll(resp.Body)
		if want := fmt.Sprintf("/%d ", i+1); !strings.Contains(string(body), want) {
			t.Errorf("answer %d: %q, want it to name %q", i+1, body, want)
		}
	}
}

// Every handler below is answered here as net/http answers it: status,
// body, the handler's headers, and whether the connection stays open.
func TestAnswersAsNetHTTP(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("0123456789", 10<<10)
	tests := []struct {
		name    string
		request string
		handler http.HandlerFunc
	}{
		{"a short body", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", func(w http.ResponseWriter, _ *http.Request) {
			w.Header()["Content-Type"] = []string{"application/json"}
			_, _ = io.WriteString(w, `{"ok":true}`)
		}},
		{"nothing written", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", func(http.ResponseWriter, *http.Request) {}},
		{"sniffed type", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "<html><body>hi</body></html>")
		}},
		{"204", "DELETE / HTTP/1.1\r\nHost: h\r\n\r\n", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusNoContent)
			if _, err := io.WriteString(w, "x"); !errors.Is(err, http.ErrBodyNotAllowed) {
				panic("a 204's body was taken")
			}
		}},
		{"an error", "GET /x HTTP/1.1\r\nHost: h\r\n\r\n", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no "+r.URL.Path, http.StatusNotFound)
		}},
		{"a large body, streamed", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, big)
		}},
		{"a declared length", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", func(w http.ResponseWriter, _ *http.Request) {
			w.Header()["Content-Length"] = []string{fmt.Sprint(len(big))}
			_, _ = io.WriteString(w, big)
		}},
		{"flushed", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "first ")
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, "second")
		}},
		{"HEAD", "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "not sent")
		}},
		{"the handler closes", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", func(w http.ResponseWriter, _ *http.Request) {
			w.Header()["Connection"] = []string{"close"}
			_, _ = io.WriteString(w, "bye")
		}},
		{"the client closes", "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "bye")
		}},
		{"a body left unread", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "ignored it")
		}},
		{"a status without text", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(599)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			method := strings.Fields(tt.request)[0]
			want := answerOf(t, netHTTPAddr(t, tt.handler), tt.request, method)
			s := serve(t, tt.handler)
			got := answerOf(t, s.addr, tt.request, method)
			if got != want {
				t.Errorf("answer:\n%s\nnet/http's:\n%s", got, want)
			}
			if h := s.handed.Load(); h != 0 {
				t.Errorf("%d connections handed to net/http, want 0", h)
			}
		})
	}
}

// netHTTPAddr serves h on loopback with net/http alone.
func netHTTPAddr(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: 16 << 10}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
	})
	return ln.Addr().String()
}

// answerOf describes the answer to request: status, body, headers but
// the framing and Date, and whether the connection was closed after it.
func answerOf(t *testing.T, addr, request, method string) string {
	t.Helper()
	c := dial(t, addr)
	_, _ = io.WriteString(c, request)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	_, err = br.ReadByte()
	closed := errors.Is(err, io.EOF)
	h := resp.Header.Clone()
	for _, k := range []string{"Date", "Content-Length", "Transfer-Encoding"} {
		delete(h, k)
	}
	return fmt.Sprintf("%d body %d bytes %.40q headers %v closed %v", resp.StatusCode, len(body), body, h, closed)
}

func TestHandsOverWhatItDoesNotServe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, request, method string
		answers               int
	}{
		{"HTTP/1.0", "GET /old HTTP/1.0\r\n\r\n", http.MethodGet, 1},
		{"a chunked body, then a plain request", "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n", http.MethodPost, 2},
		{"an escaped path", "GET /a%2Fb HTTP/1.1\r\nHost: h\r\n\r\n", http.MethodGet, 1},
		{"a bad request", "GET / HTTP/1.1\r\nHost: h\r\nBad Header\r\n\r\n", http.MethodGet, 1},
		{"a head too large", "GET / HTTP/1.1\r\nHost: h\r\nX: " + strings.Repeat("x", 40<<10) + "\r\n\r\n", http.MethodGet, 1},
		{"a plain request, then HTTP/1.0", "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.0\r\n\r\n", http.MethodGet, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := exchange(t, netHTTPAddr(t, echo), tt.request, tt.answers, tt.method)
			s := serve(t, echo)
			got := exchange(t, s.addr, tt.request, tt.answers, tt.method)
			for i := range got {
				gb, _ := io.ReadAll(got[i].Body)
				wb, _ := io.ReadAll(want[i].Body)
				if got[i].StatusCode != want[i].StatusCode || !bytes.Equal(gb, wb) {
					t.Errorf("answer %d: %d %q; net/http's: %d %q", i+1, got[i].StatusCode, gb, want[i].StatusCode, wb)
				}
			}
			if h := s.handed.Load(); h != 1 {
				t.Errorf("%d connections handed to net/http, want 1", h)
			}
		})
	}
}

// waiter is a handler that waits for its request's context to end (or
// 10 s), and says which came first.
type waiter struct {
	started chan struct{}
	ended   chan error
}

func newWaiter() *waiter { return &waiter{started: make(chan struct{}, 1), ended: make(chan error, 1)} }

func (h *waiter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.started <- struct{}{}
	select {
	case <-r.Context().Done():
		h.ended <- r.Context().Err()
	case <-time.After(10 * time.Second):
		h.ended <- nil
	}
	_, _ = io.WriteString(w, "done")
}

func TestContextEndsWhenTheClientLeaves(t *testing.T) {
	t.Parallel()
	h := newWaiter()
	s := serve(t, h)
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	<-h.started
	_ = c.Close()
	if err := <-h.ended; !errors.Is(err, context.Canceled) {
		t.Errorf("the handler's context ended with %v, want context.Canceled when the client left", err)
	}
}

func TestContextEndsWithTheBase(t *testing.T) {
	t.Parallel()
	h := newWaiter()
	s := serve(t, h)
	c := dial(t, s.addr)
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	<-h.started
	s.stopBase()
	if err := <-h.ended; !errors.Is(err, context.Canceled) {
		t.Errorf("the handler's context ended with %v, want the base's end", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer after the base ended: %v", err)
	}
	if !resp.Close {
		t.Error("the connection is kept after the base ended; want it closed after the answer")
	}
}

// A context that is waited on, then a second request on the connection:
// the watch of the first does not take the second's bytes.
func TestWatchKeepsTheNextRequest(t *testing.T) {
	t.Parallel()
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(50 * time.Millisecond):
		}
		_, _ = io.WriteString(w, r.URL.Path)
	}))
	raw := "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n"
	for i, resp := range exchange(t, s.addr, raw, 2, http.MethodGet) {
		if b, _ := io.ReadAll(resp.Body); string(b) != fmt.Sprintf("/%d", i+1) {
			t.Errorf("answer %d: %q", i+1, b)
		}
	}
}

func TestHijack(t *testing.T) {
	t.Parallel()
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		c, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		_, _ = io.WriteString(c, "raw bytes")
		_ = c.Close()
	}))
	c := dial(t, s.addr)
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if got, _ := io.ReadAll(c); string(got) != "raw bytes" {
		t.Errorf("read %q from a hijacked connection, want %q", got, "raw bytes")
	}
}

func TestPanicsCloseTheConnection(t *testing.T) {
	t.Parallel()
	for _, p := range []any{http.ErrAbortHandler, "boom"} {
		s := serve(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(p) }))
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
		got, _ := io.ReadAll(c)
		_ = c.Close()
		if len(got) != 0 {
			t.Errorf("panic(%v): answered %q, want the connection closed", p, got)
		}
		logged := strings.Contains(s.log.String(), "panic serving")
		if want := p != http.ErrAbortHandler; logged != want {
			t.Errorf("panic(%v): logged %v, want %v (log %q)", p, logged, want, s.log.String())
		}
	}
}

func TestShutdownAnswersTheRequestInFlight(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	started := make(chan struct{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := New(&http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, "late")
	})}, context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
	idle, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	busy := dial(t, ln.Addr().String())
	_ = idle.SetDeadline(time.Now().Add(10 * time.Second))
	_, _ = io.WriteString(busy, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	<-started
	_ = ln.Close()
	shut := make(chan error)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- srv.Shutdown(ctx)
	}()
	if _, err := idle.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("an idle connection at Shutdown: read %v, want EOF", err)
	}
	close(release)
	resp, err := http.ReadResponse(bufio.NewReader(busy), nil)
	if err != nil {
		t.Fatalf("the request in flight at Shutdown got no answer: %v", err)
	}
	if b, _ := io.ReadAll(resp.Body); string(b) != "late" {
		t.Errorf("answer %q", b)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	<-served
}

var jsonType = []string{"application/json"}

// A plain request on a kept connection costs the server one allocation,
// the string of its head; a second when its handler watches the client:
// the error of the Read the watch's end interrupts (net's, as in net/http).
// Not parallel: AllocsPerRun counts every goroutine's allocations.
func TestAllocationsPerRequest(t *testing.T) {
	const body = `{"upstream":"a","seq":1}`
	for _, watch := range []bool{false, true} {
		s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if watch {
				select {
				case <-r.Context().Done():
				default:
				}
			}
			w.Header()["Content-Type"] = jsonType
			_, _ = io.WriteString(w, body)
		}))
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(time.Minute))
		request := []byte("GET /p?x=1 HTTP/1.1\r\nHost: h\r\nFanbench-Seq: 12\r\nIdempotency-Key: op-12\r\n\r\n")
		buf := make([]byte, 4096)
		// Every answer is as long as the first (the Date keeps its width).
		_, _ = c.Write(request)
		length := 0
		for !bytes.HasSuffix(buf[:length], []byte(body)) {
			n, err := c.Read(buf[length:])
			if err != nil {
				t.Fatal(err)
			}
			length += n
		}
		roundTrip := func() {
			if _, err := c.Write(request); err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(c, buf[:length]); err != nil {
				t.Fatal(err)
			}
		}
		if testing.Short() { // go test -short -run Allocations -memprofile: where they are
			for range 100000 {
				roundTrip()
			}
		}
		want := 1.0
		if watch {
			want = 2
		}
		if n := testing.AllocsPerRun(200, roundTrip); n > want {
			t.Errorf("watch %v: %v allocations per request, want at most %v", watch, n, want)
		}
		if !bytes.HasSuffix(buf[:length], []byte(body)) {
			t.Errorf("the last answer: %q", buf[:length])
		}
		_ = c.Close()
	}
}

// Whatever a client sends, the server answers or closes, and goes on
// serving: the next connection's plain request is answered. The seeds run
// in every go test; go test -fuzz FuzzServe explores.
func FuzzServe(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: h\r\n",                                  // a head cut short
		"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 999999\r\n\r\nab", // a body cut short
		"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nabGET / HTTP/1.1\r\nHost: h\r\n\r\nGE",
		"GET / HTTP/1.1\r\nHost: h\r\n\r\n" + strings.Repeat("GET /p HTTP/1.1\r\nHost: h\r\n\r\n", 50),
		"GET /\x00 HTTP/1.1\r\nHost: h\r\n\r\n",
		"\r\n\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	s := serve(f, echo)
	f.Fuzz(func(t *testing.T, in []byte) {
		c := dial(t, s.addr)
		_ = c.SetDeadline(time.Now().Add(100 * time.Millisecond))
		_, _ = c.Write(in)
		_, _ = io.Copy(io.Discard, c) // answers, until the server closes or the deadline
		_ = c.Close()
		got := exchange(t, s.addr, "GET /after HTTP/1.1\r\nHost: h\r\n\r\n", 1, http.MethodGet)[0]
		if b, _ := io.ReadAll(got.Body); got.StatusCode != http.StatusOK || !strings.Contains(string(b), "/after") {
			t.Fatalf("after %q: %d %q", in, got.StatusCode, b)
		}
	})
}

// An accept that fails (out of descriptors, say) is retried after a
// pause, as net/http does, instead of ending the server.
func TestAcceptErrorsAreRetried(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := New(&http.Server{Handler: echo}, context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		fl := &failingListener{Listener: ln}
		fl.failures.Store(3)
		_ = srv.Serve(fl)
	}()
	got := exchange(t, ln.Addr().String(), "GET /after-emfile HTTP/1.1\r\nHost: h\r\n\r\n", 1, http.MethodGet)[0]
	if b, _ := io.ReadAll(got.Body); !strings.Contains(string(b), "/after-emfile") {
		t.Errorf("answer %q", b)
	}
	_ = ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Error(err)
	}
	<-served
}

// failingListener fails its first Accepts with EMFILE.
type failingListener struct {
	net.Listener
	failures atomic.Int64
}

func (l *failingListener) Accept() (net.Conn, error) {
	if l.failures.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}
