package mockupstream

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"

	"github.com/fanbench/fanbench/units"
)

// freshClient opens a new connection for every request. net/http's
// Transport silently retries an idempotent request once when a reused
// connection fails before any answer, which would hide a fault.
func freshClient(t *testing.T, timeout time.Duration) *http.Client {
	tr := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: timeout}
}

func TestDrawOutcomeFrequencies(t *testing.T) {
	t.Parallel()
	type outcome struct {
		status int
		fault  Fault
	}
	c := Config{
		Errors: map[int]units.Fraction{503: 0.02, 500: 0.01, 429: 0.01},
		Faults: Faults{Hang: 0.005, Reset: 0.01, Empty: 0.02, Malformed: 0.03},
	}
	want := map[outcome]float64{
		{503, FaultStatus}: 0.02, {500, FaultStatus}: 0.01, {429, FaultStatus}: 0.01,
		{0, FaultHang}: 0.005, {0, FaultReset}: 0.01, {0, FaultEmpty}: 0.02, {0, FaultMalformed}: 0.03,
	}
	ok := 1.0
	for _, p := range want {
		ok -= p
	}
	want[outcome{200, FaultNone}] = ok
	d := NewDrawer(42, "profile", mustCompile(t, c))
	counts := map[outcome]int{}
	for seq := range uint64(samples) {
		dr := d.Draw(seq, 0)
		counts[outcome{dr.Status, dr.Fault}]++
	}
	for o, p := range want {
		got := float64(counts[o]) / samples
		if se := math.Sqrt(p * (1 - p) / samples); math.Abs(got-p) > 4*se {
			t.Errorf("outcome %+v drawn in %.4f of %d draws, want %.4f ± %.4f (4 standard errors)", o, got, samples, p, 4*se)
		}
	}
	for o, n := range counts {
		if _, ok := want[o]; !ok {
			t.Errorf("outcome %+v drawn %d times, want never", o, n)
		}
	}
}

// TestDrawFaultsKeepErrorDraws checks that adding faults to a Config leaves
// every error draw as it was: paired runs and baselines made without faults
// still meet the same errors.
func TestDrawFaultsKeepErrorDraws(t *testing.T) {
	t.Parallel()
	errs := map[int]units.Fraction{503: 0.1, 429: 0.05}
	plain := NewDrawer(7, "audit", mustCompile(t, Config{Errors: errs}))
	faulty := NewDrawer(7, "audit", mustCompile(t, Config{Errors: errs, Faults: Faults{Reset: 0.2, Hang: 0.1}}))
	for seq := range uint64(10_000) {
		a, b := plain.Draw(seq, 0), faulty.Draw(seq, 0)
		if a.Latency != b.Latency || (a.Fault == FaultStatus && a != b) || (a.Fault == FaultNone && b.Fault == FaultStatus) {
			t.Fatalf("Draw(%d, 0) = %+v without faults and %+v with them; want the same errors", seq, a, b)
		}
	}
}

func TestFaultString(t *testing.T) {
	t.Parallel()
	for f, want := range map[Fault]string{FaultNone: "none", FaultStatus: "status", FaultHang: "hang", FaultReset: "reset",
		FaultEmpty: "empty", FaultMalformed: "malformed", Fault(42): "fault(42)"} {
		if got, _ := f.MarshalText(); f.String() != want || string(got) != want {
			t.Errorf("Fault(%d).String(), MarshalText() = %q, %q; want %q", uint8(f), f.String(), got, want)
		}
	}
}

// TestServerConnectionFaults sends one request to a server whose every
// answer is the fault, and checks what the client sees and what the server
// counts.
func TestServerConnectionFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault Fault
		f     Faults
		check func(err error) bool
		want  string
	}{
		{"reset", FaultReset, Faults{Reset: 1}, func(err error) bool { return errors.Is(err, syscall.ECONNRESET) }, "ECONNRESET"},
		{"empty", FaultEmpty, Faults{Empty: 1}, func(err error) bool { return errors.Is(err, io.EOF) }, "io.EOF"},
		{"malformed", FaultMalformed, Faults{Malformed: 1}, func(err error) bool {
			return err != nil && strings.Contains(err.Error(), "malformed HTTP")
		}, `a "malformed HTTP" error`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := start(t, Options{Name: tt.name, Config: Config{Faults: tt.f, Latency: draws.Latency{Value: ms(1)}}})
			resp, err := freshClient(t, 10*time.Second).Get(srv.URL())
			if err == nil {
				resp.Body.Close()
				t.Fatalf("GET with %s at 100%% = %d, want an error", tt.name, resp.StatusCode)
			}
			if !tt.check(err) {
				t.Errorf("GET with %s at 100%%: error %v, want %s", tt.name, err, tt.want)
			}
			eventually(t, "the handler to return", func() bool { return srv.Stats().InFlight == 0 })
			if st := srv.Stats(); st.Faults[tt.fault] != 1 || len(st.Statuses) != 0 || st.Received != 1 {
				t.Errorf("Stats() = %+v, want 1 received, 1 %s fault, no status", st, tt.name)
			}
		})
	}
}

func TestServerHangFreedByClient(t *testing.T) {
	t.Parallel()
	srv := start(t, Options{Name: "hang", Config: Config{Faults: Faults{Hang: 1}}})
	resp, err := freshClient(t, 100*time.Millisecond).Get(srv.URL())
	if err == nil {
		resp.Body.Close()
		t.Fatalf("GET of a hang with a 100ms timeout = %d, want a timeout", resp.StatusCode)
	}
	if !isTimeout(err) {
		t.Errorf("GET of a hang: error %v, want a timeout", err)
	}
	eventually(t, "the hang to end", func() bool { st := srv.Stats(); return st.InFlight == 0 && st.Faults[FaultHang] == 1 })
	if st := srv.Stats(); st.Cancelled != 0 || len(st.Statuses) != 0 {
		t.Errorf("Stats() = %+v, want the hang counted once as a fault and nothing else", st)
	}
}

func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}

func TestServerHangEndedByClose(t *testing.T) {
	t.Parallel()
	srv, err := Start(Options{Name: "hang", Config: Config{Faults: Faults{Hang: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	c := freshClient(t, 20*time.Second)
	errc := make(chan error, 1)
	go func() {
		resp, err := c.Get(srv.URL())
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	eventually(t, "the request to hang", func() bool { return srv.Stats().InFlight == 1 })
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := <-errc; err == nil {
		t.Errorf("GET of a hang cut by Close = an answer, want a connection error")
	}
	if st := srv.Stats(); st.InFlight != 0 || st.Faults[FaultHang] != 1 || len(st.Statuses) != 0 {
		t.Errorf("Stats() after Close = %+v, want 0 in flight, 1 hang, no answer", st)
	}
}

// TestServerFaultWithoutHijack: a host that cannot hand the connection
// over gets the handler aborted, as net/http documents.
func TestServerFaultWithoutHijack(t *testing.T) {
	t.Parallel()
	srv := start(t, Options{Name: "x", Config: Config{Faults: Faults{Reset: 1}}})
	defer func() {
		if r := recover(); r != http.ErrAbortHandler {
			t.Errorf("a reset served into a ResponseRecorder panicked with %v, want http.ErrAbortHandler", r)
		}
	}()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "/", nil)
	srv.Handler().ServeHTTP(httptest.NewRecorder(), req)
}
