package strategies

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Against a TLS server whose handshake takes at least 30 ms and whose
// answer comes 20 ms after the request, the first call opens a connection
// (a lookup of localhost, a connect, a handshake of 30 ms or more) and the
// next reuse it (no setup); every call waits 20 ms or more for its first
// byte, then reads a 64 KiB body.
func TestBreakdownAgainstAKnownHandshake(t *testing.T) {
	t.Parallel()
	const handshake, think = 30 * time.Millisecond, 20 * time.Millisecond
	body := strings.Repeat("x", 64<<10)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(think)
		_, _ = w.Write([]byte(body))
	}))
	srv.TLS = &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		time.Sleep(handshake)
		return nil, nil
	}}
	srv.StartTLS()
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	for _, breakdown := range []bool{true, false} {
		hc := NewHTTPCaller(HTTPOptions{Breakdown: breakdown,
			TLS: map[int]*tls.Config{0: {RootCAs: roots, ServerName: "example.com"}}}) // a name of the test certificate
		call := &Call{Method: http.MethodGet, BaseURL: "https://localhost" + port, Path: mustPath(t, "/x")}
		for i := range 3 {
			r := hc.Call(t.Context(), uint64(i), call)
			if r.Status != http.StatusOK {
				t.Fatalf("call %d: status %d, %v", i, r.Status, r.Err)
			}
			if !breakdown {
				if r.Phases != nil {
					t.Errorf("untraced call %d has phases %+v", i, *r.Phases)
				}
				continue
			}
			p := r.Phases
			if p == nil {
				t.Fatalf("call %d was not traced", i)
			}
			if !p.Traced || p.Reused != (i > 0) {
				t.Errorf("call %d: traced %v, reused %v; want the first on a new connection, the rest reused", i, p.Traced, p.Reused)
			}
			if i == 0 && (p.DNS <= 0 || p.Connect <= 0 || p.TLS < handshake || p.TLS > r.Latency) {
				t.Errorf("first call: DNS %v, connect %v, TLS %v (want ≥ %v) of %v", p.DNS, p.Connect, p.TLS, handshake, r.Latency)
			}
			if i > 0 && (p.DNS != 0 || p.Connect != 0 || p.TLS != 0) {
				t.Errorf("call %d on a reused connection has setup: %+v", i, p)
			}
			if p.TTFB < think || p.Body <= 0 || p.TTFB+p.Body+p.DNS+p.Connect+p.TLS > r.Latency {
				t.Errorf("call %d: TTFB %v (want ≥ %v), body %v, of %v", i, p.TTFB, think, p.Body, r.Latency)
			}
		}
		hc.Close()
	}
}
