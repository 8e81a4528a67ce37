package strategies

import (
	"context"
	"testing"
	"time"
)

// nopAttempter answers 200 at once.
type nopAttempter struct{}

func (nopAttempter) Attempt(context.Context, uint64, int, *Call) AttemptResult {
	return AttemptResult{Status: 200}
}

// flakyAttempter fails the first attempt of every call with a 503.
type flakyAttempter struct{}

func (flakyAttempter) Attempt(_ context.Context, _ uint64, attempt int, _ *Call) AttemptResult {
	if attempt == 0 {
		return AttemptResult{Status: 503}
	}
	return AttemptResult{Status: 200}
}

func BenchmarkPolicyCaller(b *testing.B) {
	full := Policy{
		Timeout: time.Second, Deadline: 5 * time.Second,
		Retry:     Retry{Attempts: 3, Backoff: time.Millisecond, Jitter: JitterFull},
		Breaker:   Breaker{FailureRatio: 0.5, Window: 100},
		RateLimit: RateLimit{Rate: 1e12, Burst: 1 << 30},
	}
	benches := []struct {
		name  string
		inner Attempter
		p     Policy
	}{
		{"zero", nopAttempter{}, Policy{}},
		{"retry-only", nopAttempter{}, Policy{Retry: Retry{Attempts: 3, Backoff: time.Millisecond}}},
		{"retry-only-one-retry", flakyAttempter{}, Policy{Retry: Retry{Attempts: 3, Backoff: time.Millisecond}}},
		{"full", nopAttempter{}, full},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			pc, err := NewPolicyCaller(bb.inner, []Policy{bb.p})
			if err != nil {
				b.Fatal(err)
			}
			pc.sleep = func(context.Context, time.Duration) bool { return true } // measure the policy, not the backoff
			c := &Call{Method: "GET"}
			ctx := context.Background()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if r := pc.Call(ctx, uint64(i), c); r.Status != 200 {
					b.Fatal(r)
				}
			}
		})
	}
}

func TestPolicyCallerZeroPolicyAllocs(t *testing.T) {
	pc, err := NewPolicyCaller(nopAttempter{}, []Policy{{}, {Retry: Retry{Attempts: 3}}})
	if err != nil {
		t.Fatal(err)
	}
	pc.sleep = func(context.Context, time.Duration) bool { return true }
	for _, idx := range []int{0, 1} {
		c := &Call{UpstreamIndex: idx}
		if n := testing.AllocsPerRun(100, func() { pc.Call(context.Background(), 1, c) }); n != 0 {
			t.Errorf("upstream %d: %v allocations per call, want 0", idx, n)
		}
	}
}
