package strategies

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// BenchmarkHTTPCallerGET measures one GET through HTTPCaller, with each
// client, against a loopback server that answers at once from fixed
// buffers (rawServer): the client's own cost per request (and the
// server's, which shares the machine), with parallel callers. The
// allocations are the client's alone: the server makes none.
func BenchmarkHTTPCallerGET(b *testing.B) {
	base := rawServer(b)
	for _, client := range []Client{ClientFast, ClientStd} {
		b.Run(string(client), func(b *testing.B) {
			hc := NewHTTPCaller(HTTPOptions{Client: client})
			defer hc.Close()
			call := &Call{Method: http.MethodGet, BaseURL: base, Path: mustPath(b, "/users/{{.Seq}}")}
			var seq atomic.Uint64
			b.ReportAllocs()
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if r := hc.Call(b.Context(), seq.Add(1), call); r.Status != http.StatusOK {
						b.Errorf("status %d: %v", r.Status, r.Err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkHTTPCallerGETBreakdown is BenchmarkHTTPCallerGET with every
// request traced (HTTPOptions.Breakdown): what --breakdown costs.
func BenchmarkHTTPCallerGETBreakdown(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	hc := NewHTTPCaller(HTTPOptions{Breakdown: true})
	defer hc.Close()
	call := &Call{Method: http.MethodGet, BaseURL: srv.URL, Path: mustPath(b, "/users/{{.Seq}}")}
	var seq atomic.Uint64
	b.ReportAllocs()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if r := hc.Call(b.Context(), seq.Add(1), call); r.Status != http.StatusOK || r.Phases == nil {
				b.Errorf("status %d, traced %v: %v", r.Status, r.Phases != nil, r.Err)
				return
			}
		}
	})
}
