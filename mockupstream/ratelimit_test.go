package mockupstream

import (
	"math"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fanbench/fanbench/units"
)

// fakeClock is a server clock the test moves by hand. It starts on a whole
// second, so HTTP-dates computed from it are exact.
type fakeClock struct {
	base time.Time
	ns   atomic.Int64
}

func newFakeClock() *fakeClock {
	return &fakeClock{base: time.Date(2025, 10, 21, 7, 28, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time            { return c.base.Add(time.Duration(c.ns.Load())) }
func (c *fakeClock) Set(elapsed time.Duration) { c.ns.Store(int64(elapsed)) }

// TestBucketAdmits drives the token bucket with explicit times, arrivals
// evenly spaced, and checks that it admits rate × time + burst (± 1%) and
// that each refusal asks for a wait of at most one token's time.
func TestBucketAdmits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		rate    float64 // tokens per second
		burst   int
		arrival float64 // requests per second
		span    time.Duration
	}{
		{"4x over", 500, 50, 2000, 10 * time.Second},
		{"just over", 100, 10, 110, 60 * time.Second},
		{"burst only", 1, 100, 10_000, time.Second},
		{"slow rate", 2, 1, 50, 30 * time.Second},
	}
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newBucket(RateLimit{Rate: units.Rate(tt.rate), Burst: tt.burst})
			n := int(tt.arrival * tt.span.Seconds())
			admitted := 0
			for i := range n {
				now := t0.Add(time.Duration(float64(i) / tt.arrival * float64(time.Second)))
				ok, wait := b.admit(now)
				if ok {
					admitted++
					continue
				}
				if limit := time.Duration(math.Ceil(float64(time.Second) / tt.rate)); wait <= 0 || wait > limit {
					t.Fatalf("request %d refused with a wait of %v, want in (0, %v]", i, wait, limit)
				}
			}
			// The last arrival is at (n−1)/arrival; tokens accrue until then,
			// and only whole tokens admit.
			elapsed := float64(n-1) / tt.arrival
			want := math.Min(math.Floor(tt.rate*elapsed+float64(tt.burst)), float64(n))
			if math.Abs(float64(admitted)-want) > 0.01*want {
				t.Errorf("rate %v/s burst %d, %d arrivals at %v/s: admitted %d, want %.0f ± 1%%",
					tt.rate, tt.burst, n, tt.arrival, admitted, want)
			}
		})
	}
}

func TestRetryAfterText(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 10, 21, 7, 28, 0, 300_000_000, time.UTC) // .3 s past the second
	tests := []struct {
		format  string
		d       time.Duration
		minSecs int64
		want    string
	}{
		{RetrySeconds, 0, 1, "1"},
		{RetrySeconds, 2 * time.Millisecond, 1, "1"},
		{RetrySeconds, time.Second, 0, "1"},
		{RetrySeconds, 1200 * time.Millisecond, 0, "2"},
		{RetrySeconds, 0, 0, "0"},
		{"", 3 * time.Second, 0, "3"},
		// now + 1s is 07:28:01.3, rounded up to 07:28:02 so no client comes back early.
		{RetryHTTPDate, 2 * time.Millisecond, 1, "Tue, 21 Oct 2025 07:28:02 GMT"},
		{RetryHTTPDate, 5 * time.Second, 0, "Tue, 21 Oct 2025 07:28:06 GMT"},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.format, tt.d, now, tt.minSecs); got != tt.want {
			t.Errorf("retryAfter(%q, %v, %v, %d) = %q, want %q", tt.format, tt.d, now, tt.minSecs, got, tt.want)
		}
	}
	// Whatever the instant, an HTTP-date is never sooner than the wait.
	for ns := range int64(20) {
		at := now.Add(time.Duration(ns) * 97 * time.Millisecond)
		d := time.Duration(ns) * 130 * time.Millisecond
		date, err := http.ParseTime(retryAfter(RetryHTTPDate, d, at, 1))
		if err != nil || date.Sub(at) < max(d, time.Second) || date.Sub(at) > max(d, time.Second)+2*time.Second {
			t.Errorf("retryAfter(http-date, %v, %v) = %v (%v), want between wait and wait+2s later", d, at, date, err)
		}
	}
}

// TestServerRateLimit runs the bucket end to end on a fake clock: the burst
// passes, the rest are answered 429 with a Retry-After in the configured
// form, and time refills the bucket.
func TestServerRateLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format string
		// parse returns the wait a Retry-After value asks for.
		parse func(v string, now time.Time) (time.Duration, error)
	}{
		{RetrySeconds, func(v string, _ time.Time) (time.Duration, error) {
			n, err := strconv.Atoi(v)
			return time.Duration(n) * time.Second, err
		}},
		{RetryHTTPDate, func(v string, now time.Time) (time.Duration, error) {
			at, err := http.ParseTime(v)
			return at.Sub(now), err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock()
			srv := start(t, Options{Name: "limited", Clock: clk.Now, Config: Config{
				RateLimit:  RateLimit{Rate: 2, Burst: 3},
				RetryAfter: RetryAfter{Format: tt.format},
			}})
			c := client(t, 10*time.Second)
			send := func(round string, n int, want []int) {
				t.Helper()
				for i := range n {
					got := get(t, c, srv, -1, 0)
					if got.status != want[i] {
						t.Errorf("%s, request %d: status %d, want %d", round, i, got.status, want[i])
					}
					ra := got.header.Get("Retry-After")
					if got.status != http.StatusTooManyRequests {
						if ra != "" {
							t.Errorf("%s, request %d: %d with Retry-After %q, want none", round, i, got.status, ra)
						}
						continue
					}
					// The next token is 0.5s away at 2/s: whole seconds make it 1s.
					if wait, err := tt.parse(ra, clk.Now()); err != nil || wait != time.Second {
						t.Errorf("%s, request %d: Retry-After %q asks for %v (%v), want 1s", round, i, ra, wait, err)
					}
				}
			}
			send("full bucket", 5, []int{200, 200, 200, 429, 429})
			clk.Set(time.Second) // 2 tokens
			send("after 1s", 3, []int{200, 200, 429})
			clk.Set(10 * time.Second) // full again, not more
			send("after 10s", 4, []int{200, 200, 200, 429})
			if st := srv.Stats(); st.RateLimited != 4 || st.Statuses[429] != 4 || st.Statuses[200] != 8 {
				t.Errorf("Stats() = %+v, want 4 rate limited (429), 8 answered 200", st)
			}
		})
	}
}

// TestServerInjectedRetryAfter: a drawn 429 or 503 carries Retry-After with
// the configured delay, in either form.
func TestServerInjectedRetryAfter(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	tests := []struct {
		name string
		ra   RetryAfter
		want string
	}{
		{"default", RetryAfter{}, "1"},
		{"seconds rounded up", RetryAfter{Value: units.Duration(2500 * time.Millisecond)}, "3"},
		{"http-date", RetryAfter{Format: RetryHTTPDate, Value: units.Duration(7 * time.Second)}, clk.Now().Add(7 * time.Second).Format(http.TimeFormat)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := Config{Errors: map[int]units.Fraction{429: 0.3, 503: 0.3, 500: 0.2}, RetryAfter: tt.ra}
			srv := start(t, Options{Name: "flaky", Seed: 3, Clock: clk.Now, Config: cfg})
			d := NewDrawer(3, "flaky", mustCompile(t, cfg))
			c := client(t, 10*time.Second)
			seen := map[int]bool{}
			for seq := range int64(40) {
				got := get(t, c, srv, seq, 0)
				seen[got.status] = true
				want := ""
				if s := d.Draw(uint64(seq), 0).Status; s == 429 || s == 503 {
					want = tt.want
				}
				if ra := got.header.Get("Retry-After"); ra != want {
					t.Errorf("seq %d: status %d with Retry-After %q, want %q", seq, got.status, ra, want)
				}
			}
			if !seen[429] || !seen[503] || !seen[500] || !seen[200] {
				t.Errorf("statuses seen %v; want 200, 429, 500 and 503 among 40 requests", seen)
			}
		})
	}
}
