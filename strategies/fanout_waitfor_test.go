package strategies

import (
	"context"
	"testing"
	"time"
)

// slowCalls answers each call after the delay of its index, or at once
// with an error when the context ends first.
type slowCalls []time.Duration

func (s slowCalls) Call(ctx context.Context, _ uint64, c *Call) CallResult {
	select {
	case <-time.After(s[c.Index]):
		return CallResult{Status: 200, Attempts: 1, Latency: s[c.Index]}
	case <-ctx.Done():
		return CallResult{Failure: FailureCanceled, Err: ctx.Err(), Attempts: 1}
	}
}

// wait_for completes an operation once enough calls succeeded and every
// critical call ended; the rest are given up, wasted, and fail nothing.
func TestFanoutWaitFor(t *testing.T) {
	t.Parallel()
	ten := func(slow ...int) slowCalls {
		d := make(slowCalls, 10)
		for i := range d {
			d[i] = time.Millisecond
		}
		for _, i := range slow {
			d[i] = 10 * time.Second
		}
		return d
	}
	tests := []struct {
		name     string
		wait     WaitFor
		delays   slowCalls
		critical []int
		givenUp  int
		outcome  Outcome
	}{
		{"90% of 10, one slow", WaitFor{Share: 0.9}, ten(4), nil, 1, OK},
		{"count 8, two slow", WaitFor{Count: 8}, ten(2, 7), nil, 2, OK},
		{"a slow critical call is waited for", WaitFor{Share: 0.5}, ten(3)[:4], []int{3}, 0, OK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			calls := make([]Call, len(tt.delays))
			for i := range calls {
				calls[i].Index = i
			}
			for _, i := range tt.critical {
				calls[i].Critical = true
				tt.delays[i] = 50 * time.Millisecond // slow, but waited for
			}
			f := NewFanout(tt.delays, false)
			defer f.Close()
			f.WaitFor = tt.wait
			op := NewOperation(calls)
			began := time.Now()
			if got := f.Execute(context.Background(), op); got != tt.outcome {
				t.Errorf("outcome %v, want %v", got, tt.outcome)
			}
			if took := time.Since(began); took > 5*time.Second {
				t.Errorf("Execute took %v: it waited for the calls it should have given up", took)
			}
			given := 0
			for _, r := range op.Results {
				if r.Failure == FailureGivenUp {
					given++
					if !r.Wasted {
						t.Errorf("a given-up call is not counted as wasted: %+v", r)
					}
				}
			}
			if given != tt.givenUp {
				t.Errorf("%d calls given up, want %d: %+v", given, tt.givenUp, op.Results)
			}
		})
	}
}

func TestWaitForText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want WaitFor
		n    int // need of 100 calls
		err  bool
	}{
		{"95%", WaitFor{Share: 0.95}, 95, false},
		{"95", WaitFor{Count: 95}, 95, false},
		{"100%", WaitFor{Share: 1}, 100, false},
		{"33.3%", WaitFor{Share: 0.333}, 34, false},
		{"0%", WaitFor{}, 0, true},
		{"101%", WaitFor{}, 0, true},
		{"0", WaitFor{}, 0, true},
		{"most", WaitFor{}, 0, true},
	} {
		var w WaitFor
		err := w.UnmarshalText([]byte(tc.in))
		if (err != nil) != tc.err || err == nil && (w != tc.want || w.need(100) != tc.n) {
			t.Errorf("%q: %+v (need %d), %v; want %+v (need %d), error %v", tc.in, w, w.need(100), err, tc.want, tc.n, tc.err)
		}
		if err == nil {
			if text, _ := w.MarshalText(); string(text) != tc.in {
				t.Errorf("%q marshals as %q", tc.in, text)
			}
		}
	}
	if WaitFor.need(WaitFor{}, 7) != 7 {
		t.Error("the zero WaitFor does not wait for all")
	}
}

// The ideal of wait_for is the later of the slowest critical call and the
// call that makes enough.
func TestFanoutIdealWaitFor(t *testing.T) {
	t.Parallel()
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	calls := make([]Call, 5)
	f := &Fanout{WaitFor: WaitFor{Count: 3}}
	if got := f.Ideal(calls, ms(50, 10, 40, 20, 30)); got != 30*time.Millisecond {
		t.Errorf("3 of 5: ideal %v, want 30ms", got)
	}
	calls[0].Critical = true
	if got := f.Ideal(calls, ms(50, 10, 40, 20, 30)); got != 50*time.Millisecond {
		t.Errorf("3 of 5, the slowest critical: ideal %v, want 50ms", got)
	}
	if got := (&Fanout{}).Ideal(calls, ms(50, 10, 40)); got != 50*time.Millisecond {
		t.Errorf("all: ideal %v, want 50ms", got)
	}
}

// An operation of a Fanout made by NewFanout allocates nothing once warm,
// whatever its width: its calls reach the kept goroutines as values, and
// its state is reused (not with fail_fast or wait_for, whose cancellable
// context allocates). Not parallel: AllocsPerRun counts every goroutine's
// allocations.
func TestFanoutAllocs(t *testing.T) {
	if hedgeRaceEnabled {
		t.Skip("the race detector makes sync.Pool drop states")
	}
	for _, width := range []int{1, 2, 100} {
		f := NewFanout(nopCaller{}, false)
		calls := make([]Call, width)
		for i := range calls {
			calls[i] = Call{Upstream: "shard", Method: "GET"}
		}
		op := NewOperation(calls)
		ctx := context.Background()
		f.Execute(ctx, op)
		n := testing.AllocsPerRun(200, func() { f.Execute(ctx, op) })
		_ = f.Close()
		if n > 0 {
			t.Errorf("width %d: %v allocations per operation, want 0", width, n)
		}
		for i, r := range op.Results {
			if !r.OK() {
				t.Fatalf("width %d: call %d: %+v", width, i, r)
			}
		}
	}
}
