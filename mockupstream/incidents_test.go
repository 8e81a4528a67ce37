package mockupstream

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"

	"github.com/fanbench/fanbench/units"
)

func sec(n float64) units.Duration { return units.Duration(n * float64(time.Second)) }

// brownout is a base of 10 ms answers with three incidents: a brownout
// with 10× latency and 30% 503s, a rate-limit cut, and an outage of empty
// replies.
func brownout() Config {
	return Config{
		Latency: draws.Latency{Value: ms(10)},
		Incidents: []Incident{
			{Name: "brownout", From: sec(20), To: sec(30), LatencyScale: 10, Errors: map[int]units.Fraction{503: 0.3}},
			{Name: "rate cut", From: sec(40), To: sec(50), RateLimit: &RateLimit{Rate: 1, Burst: 1}},
			{Name: "outage", From: sec(60), To: sec(70), Faults: &Faults{Empty: 1}, Latency: &draws.Latency{Value: ms(1)}},
		},
	}
}

func TestDrawAt(t *testing.T) {
	t.Parallel()
	c := brownout()
	d := NewDrawer(42, "profile", mustCompile(t, c))
	tests := []struct {
		elapsed time.Duration
		latency time.Duration
		faults  bool // some draws are errors or faults
		fault   Fault
	}{
		{0, 10 * time.Millisecond, false, FaultNone},
		{19999 * time.Millisecond, 10 * time.Millisecond, false, FaultNone},
		{20 * time.Second, 100 * time.Millisecond, true, FaultStatus},
		{29999 * time.Millisecond, 100 * time.Millisecond, true, FaultStatus},
		{30 * time.Second, 10 * time.Millisecond, false, FaultNone},
		{45 * time.Second, 10 * time.Millisecond, false, FaultNone}, // the rate limit is not a draw
		{65 * time.Second, time.Millisecond, true, FaultEmpty},
		{time.Hour, 10 * time.Millisecond, false, FaultNone},
	}
	for _, tt := range tests {
		faults := 0
		for seq := range uint64(1000) {
			got := d.DrawAt(tt.elapsed, seq, 0)
			if got.Latency != tt.latency {
				t.Fatalf("DrawAt(%v, %d, 0).Latency = %v, want %v", tt.elapsed, seq, got.Latency, tt.latency)
			}
			if got.Fault != FaultNone {
				faults++
				if got.Fault != tt.fault {
					t.Fatalf("DrawAt(%v, %d, 0) = %+v, want fault %v or none", tt.elapsed, seq, got, tt.fault)
				}
			}
			if tt.elapsed >= time.Hour && got != d.Draw(seq, 0) {
				t.Fatalf("DrawAt(%v, %d, 0) = %+v outside every incident, Draw = %+v; want equal", tt.elapsed, seq, got, d.Draw(seq, 0))
			}
		}
		if (faults > 0) != tt.faults {
			t.Errorf("DrawAt(%v, …): %d of 1000 draws failed; want some: %v", tt.elapsed, faults, tt.faults)
		}
	}
}

// TestDrawAtPaired: inside an incident, a draw is that of a Config holding
// the incident's settings, so an incident changes what fails, not which
// requests are drawn together.
func TestDrawAtPaired(t *testing.T) {
	t.Parallel()
	c := brownout()
	c.Incidents[0].LatencyScale = 0
	inside := NewDrawer(5, "audit", mustCompile(t, c))
	alone := NewDrawer(5, "audit", mustCompile(t, c.Incidents[0].apply(c)))
	for seq := range uint64(5000) {
		if a, b := inside.DrawAt(25*time.Second, seq, 1), alone.Draw(seq, 1); a != b {
			t.Fatalf("seq %d inside the incident = %+v, under its settings alone = %+v; want equal", seq, a, b)
		}
	}
}

func TestDrawAtAllocs(t *testing.T) {
	d := NewDrawer(42, "profile", mustCompile(t, brownout()))
	var seq uint64
	if n := testing.AllocsPerRun(1000, func() { seq++; _ = d.DrawAt(25*time.Second, seq, 0) }); n != 0 {
		t.Errorf("DrawAt allocates %v times per call, want 0", n)
	}
}

// TestServerIncidents steps a fake clock through the incidents of
// brownout and checks the answers switch on and off with them, and that
// Reset restarts the incident clock.
func TestServerIncidents(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	cfg := brownout()
	cfg.Latency = draws.Latency{} // quick answers; the latency is TestDrawAt's
	cfg.Incidents[0].Errors = map[int]units.Fraction{503: 1}
	srv := start(t, Options{Name: "profile", Seed: 1, Clock: clk.Now, Config: cfg})
	c := freshClient(t, 10*time.Second)
	status := func(seq int64) int { // 0 for a connection error
		req, _ := http.NewRequest(http.MethodGet, srv.URL(), nil)
		req.Header.Set(draws.HeaderSeq, strconv.FormatInt(seq, 10))
		resp, err := c.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	steps := []struct {
		at   time.Duration
		want []int
	}{
		{0, []int{200, 200}},
		{20 * time.Second, []int{503, 503}},
		{29999 * time.Millisecond, []int{503}},
		{30 * time.Second, []int{200, 200}},
		{40 * time.Second, []int{200, 429, 429}}, // a bucket of 1
		{41 * time.Second, []int{200, 429}},
		{50 * time.Second, []int{200, 200, 200}},
		{60 * time.Second, []int{0, 0}},
		{70 * time.Second, []int{200}},
	}
	seq := int64(0)
	for _, s := range steps {
		clk.Set(s.at)
		if got := srv.Elapsed(); got != s.at {
			t.Errorf("Elapsed() = %v, want %v", got, s.at)
		}
		for i, want := range s.want {
			if got := status(seq); got != want {
				t.Errorf("at %v, request %d: status %d, want %d (0: a connection error)", s.at, i, got, want)
			}
			seq++
		}
	}
	clk.Set(25 * time.Second)
	srv.Reset() // the incident clock starts again: 25s is now 0
	if got := status(seq); got != 200 || srv.Elapsed() != 0 {
		t.Errorf("after Reset at 25s: status %d, Elapsed %v; want 200, 0s", got, srv.Elapsed())
	}
	clk.Set(45 * time.Second)
	if got := status(seq + 1); got != 503 {
		t.Errorf("20s after Reset: status %d, want 503 (the brownout)", got)
	}
}

// TestServerSetConfig changes the behaviour of a running server.
func TestServerSetConfig(t *testing.T) {
	t.Parallel()
	srv := start(t, Options{Name: "live"})
	c := client(t, 10*time.Second)
	steps := []struct {
		cfg  Config
		want []int
	}{
		{Config{}, []int{200, 200}},
		{Config{Errors: map[int]units.Fraction{500: 1}}, []int{500, 500}},
		{Config{RateLimit: RateLimit{Rate: 0.001, Burst: 2}}, []int{200, 200, 429}},
		{Config{Body: Body{Size: 1000}}, []int{200}},
	}
	for _, s := range steps {
		if err := srv.SetConfig(s.cfg); err != nil {
			t.Fatalf("SetConfig(%+v): %v", s.cfg, err)
		}
		for i, want := range s.want {
			if got := get(t, c, srv, -1, 0); got.status != want {
				t.Errorf("under %+v, request %d: status %d, want %d", s.cfg, i, got.status, want)
			}
		}
	}
	if got := get(t, c, srv, -1, 0); len(got.body) != 1000 {
		t.Errorf("under body size 1000: a body of %d bytes", len(got.body))
	}
	bad := Config{Capacity: Capacity{Queue: 5}}
	err := srv.SetConfig(bad)
	if fe, ok := errors.AsType[*draws.FieldError](err); !ok || fe.Field != "capacity.concurrency" {
		t.Errorf("SetConfig(%+v) = %v, want a FieldError on capacity.concurrency", bad, err)
	}
	if got := srv.Config(); got.Body.Size != 1000 {
		t.Errorf("Config() after a refused SetConfig = %+v, want the previous one kept", got)
	}
}

func TestPhaseAt(t *testing.T) {
	t.Parallel()
	ws := []window{{from: 10, to: 20}, {from: 30, to: 40}, {from: 0, to: 5}}
	var got []int
	for _, e := range []time.Duration{0, 4, 5, 9, 10, 19, 20, 30, 39, 40, -1} {
		got = append(got, phaseAt(ws, e))
	}
	if want := []int{2, 2, -1, -1, 0, 0, -1, 1, 1, -1, -1}; !slices.Equal(got, want) {
		t.Errorf("phaseAt at 0,4,5,9,10,19,20,30,39,40,-1 = %v, want %v", got, want)
	}
}
