package mockupstream

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/units"
)

func TestBodyStreamSizes(t *testing.T) {
	t.Parallel()
	head := []byte(`{"upstream":"profile","seq":12,"attempt":0`) // 41 bytes
	full := int64(len(head) + len(padOpen) + len(padClose))
	tests := []struct {
		name      string
		size      int64
		wantJSON  bool
		wantBytes int64
	}{
		{"default", 0, true, int64(len(head)) + 2},
		{"cut short", 10, false, 10},
		{"spaces", int64(len(head)) + 5, true, int64(len(head)) + 5},
		{"pad empty", full, true, full},
		{"pad one", full + 1, true, full + 1},
		{"4KiB", 4096, true, 4096},
		{"more than the filler", 100_000, true, 100_000},
		{"1MiB", 1 << 20, true, 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := newBodyStream(append([]byte(nil), head...), tt.size)
			rec := httptest.NewRecorder()
			// In uneven steps, as the pacing writes it.
			for st.off < st.size() {
				if err := st.write(rec, 777); err != nil {
					t.Fatal(err)
				}
			}
			body := rec.Body.Bytes()
			if int64(len(body)) != tt.wantBytes || st.size() != tt.wantBytes {
				t.Errorf("body of size %d: wrote %d bytes (size() %d), want %d", tt.size, len(body), st.size(), tt.wantBytes)
			}
			if tt.wantJSON && !json.Valid(body) {
				t.Errorf("body of size %d is not JSON: %.80q…", tt.size, body)
			}
			if tt.wantJSON && !strings.HasPrefix(string(body), string(head)) {
				t.Errorf("body of size %d starts %.60q, want the head %q", tt.size, body, head)
			}
		})
	}
}

func TestServerBodySize(t *testing.T) {
	t.Parallel()
	for _, size := range []units.ByteSize{1, 100, 4 * units.KiB, 256 * units.KiB} {
		t.Run(size.String(), func(t *testing.T) {
			t.Parallel()
			srv := start(t, Options{Name: "big", Config: Config{Body: Body{Size: size}, Errors: map[int]units.Fraction{500: 0.5}}})
			c := client(t, 10*time.Second)
			for seq := range int64(4) {
				got := get(t, c, srv, seq, 0)
				if int64(len(got.body)) != size.Bytes() || got.header.Get("Content-Length") != strconv.FormatInt(size.Bytes(), 10) {
					t.Errorf("seq %d (%d): body of %d bytes, Content-Length %q; want %d", seq, got.status, len(got.body), got.header.Get("Content-Length"), size.Bytes())
				}
				if size >= 100 && !json.Valid([]byte(got.body)) {
					t.Errorf("seq %d: a body of %v is not JSON: %.80q", seq, size, got.body)
				}
			}
		})
	}
}

func TestServerSlowBody(t *testing.T) {
	t.Parallel()
	const size, rate = 8 << 10, 32 << 10 // 250 ms
	srv := start(t, Options{Name: "slow", Config: Config{Body: Body{Size: size, BytesPerSecond: rate}}})
	c := client(t, 10*time.Second)
	t0 := time.Now()
	resp, err := c.Get(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	headers := time.Since(t0)
	body, err := io.ReadAll(resp.Body)
	took := time.Since(t0)
	if err != nil || len(body) != size || !json.Valid(body) {
		t.Fatalf("slow body: %d bytes, valid JSON %v, %v; want %d bytes of JSON", len(body), json.Valid(body), err, size)
	}
	// Lower bounds only: a loaded machine may be slower, never faster.
	if want := time.Duration(float64(size) / rate * float64(time.Second)); took < want {
		t.Errorf("a body of %d bytes at %d B/s arrived in %v, want at least %v", size, rate, took, want)
	}
	if headers >= took {
		t.Errorf("headers after %v, the whole body after %v; want the headers first", headers, took)
	}
}

func TestServerSlowBodyClientLeaves(t *testing.T) {
	t.Parallel()
	srv := start(t, Options{Name: "slow", Config: Config{Body: Body{Size: units.MiB, BytesPerSecond: units.KiB}}})
	c := client(t, 100*time.Millisecond)
	resp, err := c.Get(srv.URL())
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Fatalf("reading 1MiB at 1KiB/s with a 100ms timeout succeeded, want a timeout")
	}
	eventually(t, "the server to stop sending", func() bool { return srv.Stats().InFlight == 0 })
	if st := srv.Stats(); st.Statuses[http.StatusOK] != 1 {
		t.Errorf("Stats() = %+v, want the answer counted as a 200", st)
	}
}
