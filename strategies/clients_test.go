package strategies

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// eachClient runs f once per HTTP client, in subtests named after the
// client, one after the other (callers defer closing what f uses).
func eachClient(t *testing.T, f func(t *testing.T, client Client)) {
	t.Helper()
	for _, client := range []Client{ClientFast, ClientStd} {
		t.Run(string(client), func(t *testing.T) {
			f(t, client)
		})
	}
}

func TestHTTPCallerClientFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		o    HTTPOptions
		want []Client // for upstreams 0, 1, 2
	}{
		{"default", HTTPOptions{}, []Client{ClientFast, ClientFast, ClientFast}},
		{"one std", HTTPOptions{Clients: map[int]Client{1: ClientStd}}, []Client{ClientFast, ClientStd, ClientFast}},
		{"std, one fast", HTTPOptions{Client: ClientStd, Clients: map[int]Client{2: ClientFast, 0: ""}}, []Client{ClientStd, ClientStd, ClientFast}},
		{"unknown is std", HTTPOptions{Clients: map[int]Client{0: "h2"}}, []Client{ClientStd, ClientFast, ClientFast}},
		{"breakdown is std", HTTPOptions{Breakdown: true, Clients: map[int]Client{0: ClientFast}}, []Client{ClientStd, ClientStd, ClientStd}},
	}
	for _, tt := range tests {
		hc := NewHTTPCaller(tt.o)
		for i, want := range tt.want {
			if got := hc.ClientFor(i); got != want {
				t.Errorf("%s: ClientFor(%d) = %q, want %q", tt.name, i, got, want)
			}
		}
		if (hc.fast != nil) != slices.Contains(tt.want, ClientFast) {
			t.Errorf("%s: fast client made %v, want it exactly when an upstream uses it", tt.name, hc.fast != nil)
		}
		hc.Close()
	}
}

// max_conns: however many calls are in flight, an upstream with a cap
// never has more connections open than the cap, with either client, and
// every call is served.
func TestMaxConnsCapsConnections(t *testing.T) {
	t.Parallel()
	eachClient(t, func(t *testing.T, client Client) {
		var mu sync.Mutex
		open, peak, accepted := 0, 0, 0
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			time.Sleep(2 * time.Millisecond) // so that calls overlap
			_, _ = io.WriteString(w, "ok")
		}))
		srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
			mu.Lock()
			defer mu.Unlock()
			switch st {
			case http.StateNew:
				open++
				accepted++
				peak = max(peak, open)
			case http.StateClosed, http.StateHijacked:
				open--
			}
		}
		srv.Start()
		defer srv.Close()
		hc := NewHTTPCaller(HTTPOptions{Client: client, MaxConns: map[int]int{0: 3}})
		defer hc.Close()
		var wg sync.WaitGroup
		var waited atomic.Int64
		for g := range 12 {
			wg.Go(func() {
				for i := range 5 {
					call := Call{Index: 0, UpstreamIndex: 0, Method: "GET", BaseURL: srv.URL, Path: mustPath(t, "/")}
					r := hc.CallFrom(t.Context(), uint64(g*5+i), 0, &call)
					if r.Status != 200 || r.ConnWait < 0 || r.ConnWait > r.Latency {
						t.Errorf("call %d: %+v", g*5+i, r)
					}
					if r.ConnWait > 0 {
						waited.Add(1)
					}
				}
			})
		}
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		if accepted > 3 || peak > 3 || waited.Load() == 0 {
			t.Errorf("%d connections accepted, %d open at once, %d of 60 calls waited for one, with max_conns 3 and 12 callers",
				accepted, peak, waited.Load())
		}
	})
}
