package h1

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func read(t testing.TB, answer string, head bool, bufSize int) (Response, error) {
	t.Helper()
	var resp Response
	err := ReadResponse(NewReader(strings.NewReader(answer), bufSize), &resp, head)
	return resp, err
}

func TestReadResponse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		answer     string
		head       bool
		status     int
		close      bool
		body       int64
		loc, retry string
	}{
		{"length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, 200, false, 5, "", ""},
		{"no reason", "HTTP/1.1 204\r\n\r\n", false, 204, false, 0, "", ""},
		{"empty reason", "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", false, 200, false, 0, "", ""},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n", false, 200, false, 15, "", ""},
		{"chunked, case", "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n0\r\n\r\n", false, 200, false, 0, "", ""},
		{"close", "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 2\r\n\r\nok", false, 200, true, 2, "", ""},
		{"to the end", "HTTP/1.1 200 OK\r\n\r\nall of this", false, 200, true, -1, "", ""},
		{"HTTP/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false, 200, true, 2, "", ""},
		{"head", "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", true, 200, false, 0, "", ""},
		{"304", "HTTP/1.1 304 Not Modified\r\nContent-Length: 500\r\n\r\n", false, 304, false, 0, "", ""},
		{"interim", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", false, 201, false, 0, "", ""},
		{"headers kept", "HTTP/1.1 202 Accepted\r\nLocation:  /jobs/7 \r\nRetry-After: 3\r\nDate: Wed, 21 Oct 2015 07:28:00 GMT\r\nContent-Length: 0\r\n\r\n", false, 202, false, 0, "/jobs/7", "3"},
		{"same length twice", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok", false, 200, false, 2, "", ""},
		{"long line", "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 5000) + "\r\nContent-Length: 0\r\n\r\n", false, 200, false, 0, "", ""},
		{"big length", "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + strings.Repeat("x", 100000), false, 200, false, 100000, "", ""},
		{"big chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n186a0\r\n" + strings.Repeat("x", 100000) + "\r\n0\r\n\r\n", false, 200, false, 100000, "", ""},
		{"big to the end", "HTTP/1.1 200 OK\r\n\r\n" + strings.Repeat("x", 100000), false, 200, true, -1, "", ""},
		{"obs-text value", "HTTP/1.1 200 OK\r\nX: caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n", false, 200, false, 0, "", ""},
	}
	for _, tt := range tests {
		for _, size := range []int{16, 4096} { // lines split across reads, and whole
			resp, err := read(t, tt.answer, tt.head, max(size, 64))
			if err != nil {
				t.Errorf("%s (buffer %d): %v", tt.name, size, err)
				continue
			}
			if resp.Status != tt.status || resp.Close != tt.close || resp.BodyLength != tt.body ||
				string(resp.Location) != tt.loc || string(resp.RetryAfter) != tt.retry {
				t.Errorf("%s: got status %d close %v body %d location %q retry-after %q; want %d %v %d %q %q", tt.name,
					resp.Status, resp.Close, resp.BodyLength, resp.Location, resp.RetryAfter, tt.status, tt.close, tt.body, tt.loc, tt.retry)
			}
		}
	}
}

// TestReadResponseRefuses: what the strict reader calls malformed, and how
// an answer cut short reads.
func TestReadResponseRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, answer string
		want         error // nil: a *ProtocolError
	}{
		{"not HTTP", "FANBENCH MALFORMED REPLY\r\nthis is not an HTTP response\r\n\r\n", nil},
		{"HTTP/2", "HTTP/2 200\r\n\r\n", nil},
		{"short code", "HTTP/1.1 20 OK\r\n\r\n", nil},
		{"code 600", "HTTP/1.1 600 OK\r\n\r\n", nil},
		{"letters", "HTTP/1.1 2x0 OK\r\n\r\n", nil},
		{"no space", "HTTP/1.1 200OK\r\n\r\n", nil},
		{"bare LF", "HTTP/1.1 200 OK\nContent-Length: 0\n\n", nil},
		{"space before colon", "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n", nil},
		{"folded", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n", nil},
		{"no colon", "HTTP/1.1 200 OK\r\nnonsense\r\n\r\n", nil},
		{"control in value", "HTTP/1.1 200 OK\r\nX: a\x00b\r\n\r\n", nil},
		{"two lengths", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok", nil},
		{"length list", "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok", nil},
		{"negative length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", nil},
		{"gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", nil},
		{"both", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n", nil},
		{"bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", nil},
		{"chunk overrun", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n0\r\n\r\n", nil},
		{"upgrade", "HTTP/1.1 101 Switching Protocols\r\n\r\n", nil},
		{"line too long", "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", MaxLine) + "\r\n\r\n", nil},
		{"nothing", "", io.EOF},
		{"cut in the head", "HTTP/1.1 200 OK\r\nContent-Le", io.ErrUnexpectedEOF},
		{"cut in the body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", io.ErrUnexpectedEOF},
		{"cut in a big body", "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + strings.Repeat("x", 50000), io.ErrUnexpectedEOF},
		{"cut in a chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		_, err := read(t, tt.answer, false, 128)
		var pe *ProtocolError
		switch {
		case tt.want == nil && !errors.As(err, &pe):
			t.Errorf("%s: error %v, want a ProtocolError", tt.name, err)
		case tt.want != nil && !errors.Is(err, tt.want):
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
	}
}

// TestReadResponseKeepAlive: answers back to back on one stream are read
// one by one, each to its end and no further.
func TestReadResponseKeepAlive(t *testing.T) {
	t.Parallel()
	one := "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
	two := "HTTP/1.1 503 Busy\r\nTransfer-Encoding: chunked\r\nRetry-After: 1\r\n\r\n2\r\nxy\r\n0\r\n\r\n"
	big := "HTTP/1.1 201 Created\r\nContent-Length: 70000\r\n\r\n" + strings.Repeat("y", 70000)
	r := NewReader(strings.NewReader(one+two+big+one), 64)
	var resp Response
	for i, want := range []int{200, 503, 201, 200} {
		if err := ReadResponse(r, &resp, false); err != nil || resp.Status != want {
			t.Fatalf("answer %d: status %d, %v; want %d", i, resp.Status, err, want)
		}
	}
	if err := ReadResponse(r, &resp, false); err != io.EOF {
		t.Errorf("after the last answer: %v, want io.EOF", err)
	}
}

// TestReadResponseAllocs: reading an answer allocates nothing once the
// Response's buffer has grown.
func TestReadResponseAllocs(t *testing.T) {
	answer := []byte("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nDate: Wed, 21 Oct 2015 07:28:00 GMT\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
	src := bytes.NewReader(answer)
	r := NewReader(src, 4096)
	var resp Response
	allocs := testing.AllocsPerRun(100, func() {
		src.Reset(answer)
		r.Reset(src)
		if err := ReadResponse(r, &resp, false); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("ReadResponse allocates %v times per answer, want 0", allocs)
	}
}

// FuzzReadResponse: the reader never panics, and an answer it accepts
// net/http accepts too, with the same status, and the same body length
// when both know it.
func FuzzReadResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;e\r\nhello\r\n0\r\nT: x\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nbody",
		"HTTP/1.1 429 Too Many\r\nRetry-After: 3\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
		"FANBENCH MALFORMED REPLY\r\n\r\n",
	} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, answer []byte, head bool) {
		var resp Response
		err := ReadResponse(NewReader(bytes.NewReader(answer), 256), &resp, head)
		if err != nil {
			return
		}
		if resp.Status < 200 || resp.Status > 599 {
			t.Fatalf("accepted status %d", resp.Status)
		}
		method := http.MethodGet
		if head {
			method = http.MethodHead
		}
		br := bufio.NewReader(bytes.NewReader(answer))
		std, serr := http.ReadResponse(br, &http.Request{Method: method})
		for serr == nil && std.StatusCode >= 100 && std.StatusCode < 200 { // as the Transport skips them
			std, serr = http.ReadResponse(br, &http.Request{Method: method})
		}
		if serr != nil {
			t.Fatalf("accepted %q (status %d), net/http refuses it: %v", answer, resp.Status, serr)
		}
		n, berr := io.Copy(io.Discard, std.Body)
		if std.StatusCode != resp.Status {
			t.Fatalf("%q: status %d, net/http reads %d", answer, resp.Status, std.StatusCode)
		}
		if berr == nil && resp.BodyLength >= 0 && n != resp.BodyLength {
			t.Fatalf("%q: body of %d bytes, net/http reads %d", answer, resp.BodyLength, n)
		}
	})
}
