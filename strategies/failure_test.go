package strategies

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// scriptCaller answers each upstream with a fixed status. Calls to the
// upstreams in wait block until their context ends, and report
// FailureCanceled; the upstreams in after answer only once every upstream
// in failFirst has answered, so the order of answers is fixed.
type scriptCaller struct {
	status    map[string]int
	wait      map[string]bool
	after     map[string]bool
	failFirst chan struct{} // closed when the first answer is given
	once      sync.Once
	mu        sync.Mutex
	calls     []string // upstreams called, in call order
}

func newScriptCaller(status map[string]int) *scriptCaller {
	return &scriptCaller{status: status, wait: map[string]bool{}, after: map[string]bool{}, failFirst: make(chan struct{})}
}

func (s *scriptCaller) Call(ctx context.Context, _ uint64, c *Call) CallResult {
	s.mu.Lock()
	s.calls = append(s.calls, c.Upstream)
	s.mu.Unlock()
	switch {
	case s.wait[c.Upstream]:
		<-ctx.Done()
		return CallResult{Failure: FailureCanceled, Err: ctx.Err(), Attempts: 1}
	case s.after[c.Upstream]:
		select {
		case <-s.failFirst:
			// The failing call closed failFirst on its way out; give its
			// goroutine time to return and mark the operation decided, so
			// this answer comes after the failure as the test means.
			time.Sleep(20 * time.Millisecond)
		case <-time.After(5 * time.Second):
			return CallResult{Failure: FailureTimeout, Attempts: 1}
		}
	default:
		defer s.once.Do(func() { close(s.failFirst) })
	}
	status := 200
	if st, ok := s.status[c.Upstream]; ok {
		status = st
	}
	return CallResult{Status: status, Attempts: 1}
}

func (s *scriptCaller) called() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// threeCalls: a critical payment (compensated by a refund), a critical
// stock reservation, a non-critical email.
func threeCalls() []Call {
	refund := &Call{Index: 3, Upstream: "refund", UpstreamIndex: 3, Method: "POST"}
	return []Call{
		{Index: 0, Upstream: "payment", UpstreamIndex: 0, Method: "POST", Critical: true, Compensation: refund},
		{Index: 1, Upstream: "stock", UpstreamIndex: 1, Method: "POST", Critical: true},
		{Index: 2, Upstream: "email", UpstreamIndex: 2, Method: "POST"},
	}
}

func TestSequentialStopOnCriticalFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		stop        bool
		status      map[string]int
		want        Outcome
		wantCalled  []string
		wantSkipped []bool
		wantComp    Compensations
	}{
		{"all ok", true, nil, OK, []string{"payment", "stock", "email"}, []bool{false, false, false}, Compensations{}},
		{"stock fails, stop: email skipped, payment refunded", true, map[string]int{"stock": 409}, Failed,
			[]string{"payment", "stock", "refund"}, []bool{false, false, true}, Compensations{Sent: 1, Attempts: 1}},
		{"stock fails, no stop: email still sent", false, map[string]int{"stock": 409}, Failed,
			[]string{"payment", "stock", "email", "refund"}, []bool{false, false, false}, Compensations{Sent: 1, Attempts: 1}},
		{"payment fails: nothing to refund", true, map[string]int{"payment": 402}, Failed,
			[]string{"payment"}, []bool{false, true, true}, Compensations{}},
		{"refund fails: counted", true, map[string]int{"stock": 500, "refund": 503}, Failed,
			[]string{"payment", "stock", "refund"}, []bool{false, false, true}, Compensations{Sent: 1, Failed: 1, Attempts: 1}},
		{"non-critical failure: partial, no stop", true, map[string]int{"email": 500}, Partial,
			[]string{"payment", "stock", "email"}, []bool{false, false, false}, Compensations{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newScriptCaller(tt.status)
			op := NewOperation(threeCalls())
			got := (&Sequential{Caller: c, StopOnCriticalFailure: tt.stop}).Execute(t.Context(), op)
			if got != tt.want {
				t.Errorf("outcome = %v, want %v", got, tt.want)
			}
			if called := c.called(); !slices.Equal(called, tt.wantCalled) {
				t.Errorf("called %v, want %v", called, tt.wantCalled)
			}
			for i, r := range op.Results {
				skipped := r.Failure == FailureSkipped
				if skipped != tt.wantSkipped[i] {
					t.Errorf("call %d skipped = %v, want %v (%+v)", i, skipped, tt.wantSkipped[i], r)
				}
				if skipped && (r.Attempts != 0 || r.Err != ErrSkipped) {
					t.Errorf("skipped call %d = %+v, want no attempt and ErrSkipped", i, r)
				}
			}
			if op.Compensations != tt.wantComp {
				t.Errorf("compensations = %+v, want %+v", op.Compensations, tt.wantComp)
			}
		})
	}
}

func TestFanoutFailFastAndWastedWork(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		failFast   bool
		wantEmail  Failure // the email call's failure kind
		wantWasted []bool
	}{
		// The stock call fails at once; the email call is still in flight.
		{"fail fast cancels the email call", true, FailureCanceled, []bool{false, false, true}},
		{"without fail fast the email call completes, wasted", false, NoFailure, []bool{false, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newScriptCaller(map[string]int{"stock": 409})
			c.after["payment"] = true // payment answers after stock failed: wasted too, but succeeds
			if tt.failFast {
				c.wait["email"] = true // only a cancel ends it
			} else {
				c.after["email"] = true
			}
			op := NewOperation(threeCalls())
			got := (&Fanout{Caller: c, FailFast: tt.failFast}).Execute(t.Context(), op)
			if got != Failed {
				t.Fatalf("outcome = %v, want failed", got)
			}
			if f := op.Results[2].Failure; f != tt.wantEmail {
				t.Errorf("email failure = %v, want %v", f, tt.wantEmail)
			}
			// payment answered after the failure: wasted, when it was not cancelled first.
			tt.wantWasted[0] = op.Results[0].OK()
			for i, r := range op.Results {
				if r.Wasted != tt.wantWasted[i] {
					t.Errorf("call %d (%s) wasted = %v, want %v (%+v)", i, op.Calls[i].Upstream, r.Wasted, tt.wantWasted[i], r)
				}
			}
			// A payment that succeeded is refunded: the run's context is not the cancelled one.
			if op.Results[0].OK() && op.Compensations.Sent != 1 {
				t.Errorf("compensations = %+v, want the successful payment refunded", op.Compensations)
			}
		})
	}
}

func TestFanoutNothingWastedWhenAllSucceed(t *testing.T) {
	t.Parallel()
	op := NewOperation(threeCalls())
	if got := (&Fanout{Caller: newScriptCaller(nil), FailFast: true}).Execute(t.Context(), op); got != OK {
		t.Fatalf("outcome = %v, want ok", got)
	}
	for i, r := range op.Results {
		if r.Wasted || !r.OK() {
			t.Errorf("call %d = %+v, want a success, not wasted", i, r)
		}
	}
	if op.Compensations != (Compensations{}) {
		t.Errorf("compensations = %+v, want none", op.Compensations)
	}
}
