package h1serve

import (
	"bufio"
	"bytes"
	"maps"
	"net/http"
	"slices"
	"testing"
)

func TestParseHead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want parseStatus
	}{
		{"plain GET", "GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: h:1\r\nFanbench-Seq: 7\r\n\r\n", parsed},
		{"POST with a length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc", parsed},
		{"lower-case names", "GET / HTTP/1.1\r\nhost: h\r\nfanbench-seq: 7\r\nx-odd-NAME: v\r\n\r\n", parsed},
		{"connection close", "GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Close\r\n\r\n", parsed},
		{"head not all here", "GET / HTTP/1.1\r\nHost: h\r\n", incomplete},
		{"only a part of the request line", "GE", incomplete},
		{"HTTP/1.0", "GET / HTTP/1.0\r\nHost: h\r\n\r\n", unsupported},
		{"no Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", unsupported},
		{"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", unsupported},
		{"chunked body", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", unsupported},
		{"expect", "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n", unsupported},
		{"upgrade", "GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n", unsupported},
		{"escaped path", "GET /a%20b HTTP/1.1\r\nHost: h\r\n\r\n", unsupported},
		{"absolute form", "GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n", unsupported},
		{"asterisk", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", unsupported},
		{"odd method", "BREW / HTTP/1.1\r\nHost: h\r\n\r\n", unsupported},
		{"bare LF", "GET / HTTP/1.1\nHost: h\n\n", unsupported},
		{"folded header", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", unsupported},
		{"space before colon", "GET / HTTP/1.1\r\nHost: h\r\nX : a\r\n\r\n", unsupported},
		{"control byte in a value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\x01b\r\n\r\n", unsupported},
		{"two lengths", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", unsupported},
		{"signed length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\n", unsupported},
		{"empty first line", "\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", unsupported},
		{"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", unsupported},
		{"underscore in a name", "GET / HTTP/1.1\r\nHost: h\r\nX_Y: 1\r\n\r\n", unsupported},
	}
	for _, tt := range tests {
		var h head
		n, st := parseHead([]byte(tt.in), &h)
		if st != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, st, tt.want)
			continue
		}
		if st == parsed {
			checkAgainstNetHTTP(t, []byte(tt.in)[:n], &h)
		}
	}
}

// checkAgainstNetHTTP fails t unless net/http reads head the way h says.
func checkAgainstNetHTTP(t *testing.T, in []byte, h *head) {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(in)))
	if err != nil {
		t.Fatalf("parsed %q, which net/http refuses: %v", in, err)
	}
	header := http.Header{}
	for _, f := range h.fields {
		header[f.key] = append(header[f.key], h.text[f.start:f.end])
	}
	got := []any{h.method, h.target, h.path, h.rawQuery, h.host, h.contentLength, h.close}
	want := []any{r.Method, r.RequestURI, r.URL.Path, r.URL.RawQuery, r.Host, r.ContentLength, r.Close}
	if !slices.Equal(got, want) {
		t.Errorf("%q: method, target, path, query, host, length, close = %v; net/http: %v", in, got, want)
	}
	if !maps.EqualFunc(header, r.Header, slices.Equal) {
		t.Errorf("%q: header %v; net/http: %v", in, header, r.Header)
	}
}

// Whatever parseHead takes, net/http reads the same way; what it does not,
// it leaves to net/http.
func FuzzParseHead(f *testing.F) {
	for _, s := range []string{
		"GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: h:1\r\nFanbench-Seq: 7\r\nFanbench-Attempt: 0\r\n\r\n",
		"POST /p HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 3\r\nIdempotency-Key: op-1\r\n\r\nabc",
		"HEAD / HTTP/1.1\r\nhost: h\r\nconnection: close\r\nX-A: 1\r\nX-A: 2\r\n\r\n",
		"DELETE /x;y=z HTTP/1.1\r\nHost: [::1]:80\r\nUser-Agent: fanbench\r\nAccept:\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var h head
		n, st := parseHead(in, &h)
		if st != parsed {
			return
		}
		if n > len(in) {
			t.Fatalf("head of %d bytes from %d", n, len(in))
		}
		checkAgainstNetHTTP(t, in[:n], &h)
	})
}
