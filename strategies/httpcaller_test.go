package strategies

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// resetServer answers the first request of every connection 200 with
// keep-alive, and closes the connection (with a RST) on reading the second,
// without answering: the Transport's cue to replay a replayable request.
// It logs what each request carried.
type resetServer struct {
	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	seen []seenRequest
}

type seenRequest struct {
	method, attempt, key, contentLength, transferEncoding string
	conn, nth                                             int
}

func startResetServer(t *testing.T) *resetServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &resetServer{ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for n := 0; ; n++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c, n)
			}()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); s.wg.Wait() })
	return s
}

func (s *resetServer) serve(c net.Conn, conn int) {
	defer c.Close()
	r := bufio.NewReader(c)
	for nth := 0; ; nth++ {
		req, err := http.ReadRequest(r)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		s.mu.Lock()
		s.seen = append(s.seen, seenRequest{
			method: req.Method, attempt: req.Header.Get("Fanbench-Attempt"), key: req.Header.Get("Idempotency-Key"),
			contentLength: strings.Join(req.Header["Content-Length"], ","), transferEncoding: strings.Join(req.TransferEncoding, ","),
			conn: conn, nth: nth,
		})
		s.mu.Unlock()
		if nth == 1 {
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // RST
			}
			return
		}
		answer := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
		if req.Method == http.MethodHead {
			answer = strings.TrimSuffix(answer, "ok")
		}
		_, _ = io.WriteString(c, answer)
	}
}

func (s *resetServer) requests() []seenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seenRequest(nil), s.seen...)
}

// TestHTTPCallerHonestAttempts checks that a request reset on a reused
// connection is sent once, not replayed by the Transport behind fanbench's
// back, for the methods the Transport replays (GET, HEAD) and for those an
// Idempotency-Key would make replayable (POST, PUT); and that the bodies
// on the wire are unchanged: none for GET and HEAD, Content-Length: 0 for
// POST and PUT.
func TestHTTPCallerHonestAttempts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, wantLength string
	}{
		{"GET", ""}, {"HEAD", ""}, {"POST", "0"}, {"PUT", "0"}, {"DELETE", ""},
	}
	for _, tt := range tests {
		eachClient(t, func(t *testing.T, client Client) {
			t.Run(tt.method, func(t *testing.T) {
				t.Parallel()
				testHonestAttempt(t, client, tt.method, tt.wantLength)
			})
		})
	}
}

// testHonestAttempt is TestHTTPCallerHonestAttempts for one method and client.
func testHonestAttempt(t *testing.T, client Client, method, wantLength string) {
	srv := startResetServer(t)
	caller := NewHTTPCaller(HTTPOptions{Client: client})
	defer caller.Close()
	call := &Call{Index: 1, Method: method, BaseURL: "http://" + srv.ln.Addr().String()}
	first := caller.Attempt(context.Background(), 7, 0, call)
	second := caller.Attempt(context.Background(), 7, 1, call) // on the reused connection: reset
	if first.Status != 200 {
		t.Fatalf("first attempt = %+v, want 200", first)
	}
	if second.Status != 0 || second.Failure == NoFailure {
		t.Errorf("second attempt = %+v, want a connection failure (not a silent replay)", second)
	}
	seen := srv.requests()
	if len(seen) != 2 {
		t.Fatalf("server saw %d requests, want 2, one per attempt: %+v", len(seen), seen)
	}
	for i, r := range seen {
		if r.attempt != []string{"0", "1"}[i] || r.key != "fb-7-1" || r.conn != 0 {
			t.Errorf("request %d = %+v, want attempt %d, key fb-7-1, on connection 0", i, r, i)
		}
		if r.contentLength != wantLength || r.transferEncoding != "" {
			t.Errorf("request %d: Content-Length %q, Transfer-Encoding %q; want %q and none", i, r.contentLength, r.transferEncoding, wantLength)
		}
	}
}

// TestHTTPCallerRedirectIsTheAnswer checks that a redirect is counted as
// the upstream's answer, under its status, and not followed: following it
// would send a request no count, retry policy or ledger knows of.
func TestHTTPCallerRedirectIsTheAnswer(t *testing.T) {
	t.Parallel()
	eachClient(t, func(t *testing.T, client Client) { testRedirects(t, client) })
}

func testRedirects(t *testing.T, client Client) {
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			var followed atomic.Int64
			mux := http.NewServeMux()
			mux.HandleFunc("/from", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/to", status) })
			mux.HandleFunc("/to", func(http.ResponseWriter, *http.Request) { followed.Add(1) })
			srv := httptest.NewServer(mux)
			defer srv.Close()
			caller := NewHTTPCaller(HTTPOptions{Client: client})
			defer caller.Close()
			res := caller.Call(context.Background(), 1, &Call{Method: "GET", BaseURL: srv.URL, Path: mustPath(t, "/from")})
			if res.Status != status || res.Failure != NoFailure {
				t.Errorf("call = %+v, want status %d", res, status)
			}
			if n := followed.Load(); n != 0 {
				t.Errorf("the redirect was followed %d times, want 0", n)
			}
		})
	}
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	if got := IdempotencyKey(18446744073709551615, 12); got != "fb-18446744073709551615-12" {
		t.Errorf("IdempotencyKey = %q", got)
	}
}
