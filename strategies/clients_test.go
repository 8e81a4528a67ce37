package strategies

import (
	"slices"
	"testing"
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
