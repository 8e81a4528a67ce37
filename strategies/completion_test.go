package strategies

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fanbench/fanbench/calltemplate"
	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/units"
)

// asyncMock starts a mock in the given async mode.
func asyncMock(t testing.TB, mode string, completion time.Duration, faults mockupstream.AsyncFaults) *mockupstream.Server {
	t.Helper()
	srv, err := mockupstream.Start(mockupstream.Options{Name: "async", Seed: 7, Config: mockupstream.Config{
		Latency: draws.Latency{Dist: draws.DistFixed, Value: units.Duration(time.Millisecond)},
		Async: &mockupstream.Async{Mode: mode, Faults: faults,
			Completion: draws.Latency{Dist: draws.DistFixed, Value: units.Duration(completion)}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// asyncSetup returns a CompletionCaller over an HTTPCaller, its receiver,
// and the call to srv completing by mode.
func asyncSetup(t testing.TB, srv *mockupstream.Server, comp Completion) (*CompletionCaller, *Receiver, *Call) {
	t.Helper()
	h := NewHTTPCaller(HTTPOptions{Timeout: 10 * time.Second})
	t.Cleanup(h.Close)
	recv, err := StartReceiver(ReceiverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = recv.Close() })
	path, _ := calltemplate.Parse("/charges", calltemplate.Env{})
	cb, _ := calltemplate.Parse(recv.URL(), calltemplate.Env{})
	call := &Call{Upstream: "async", Method: http.MethodPost, BaseURL: srv.URL(), Path: path, Completion: &comp,
		Headers: []Header{NewHeader(draws.HeaderCallback, cb)}}
	return NewCompletionCaller(h, recv), recv, call
}

// TestCompletionCallerCompletes: a call answered 202 ends when its
// callback comes or its poll says done, no sooner than the drawn
// completion after the 202, with the 202's latency kept beside it.
func TestCompletionCallerCompletes(t *testing.T) {
	t.Parallel()
	const completion = 30 * time.Millisecond
	tests := []struct {
		mode      string
		poll      PollSchedule
		wantPolls bool
	}{
		{CompletionCallback, PollSchedule{}, false},
		{CompletionPoll, PollSchedule{Interval: units.Duration(5 * time.Millisecond), Backoff: 2, Max: units.Duration(10 * time.Millisecond)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			t.Parallel()
			srv := asyncMock(t, tt.mode, completion, mockupstream.AsyncFaults{})
			cc, recv, call := asyncSetup(t, srv, Completion{Mode: tt.mode, Deadline: units.Duration(5 * time.Second), Poll: tt.poll})
			for seq := range uint64(5) {
				res := cc.Call(context.Background(), seq, call)
				if res.Status != http.StatusAccepted || res.Failure != NoFailure {
					t.Fatalf("Call(seq %d) = status %d, failure %v (%v); want 202 completed", seq, res.Status, res.Failure, res.Err)
				}
				// The completion's clock starts at the mock, after its 1 ms
				// latency, before the 202 is read: the call ends no sooner.
				if res.Accepted <= 0 || res.Latency < res.Accepted || res.Latency < completion+time.Millisecond ||
					res.Latency > res.Accepted+completion+time.Second {
					t.Errorf("Call(seq %d): latency %v, accepted %v; want at least %v and the 202's", seq, res.Latency, res.Accepted, completion+time.Millisecond)
				}
				if (res.Polls > 0) != tt.wantPolls {
					t.Errorf("Call(seq %d): %d polls, want polls: %v", seq, res.Polls, tt.wantPolls)
				}
			}
			if tt.mode == CompletionCallback {
				if st := recv.Stats(); st.Completed != 5 || st.Received != 5 {
					t.Errorf("receiver stats %+v, want 5 received and completed", st)
				}
			}
		})
	}
}

// jumpClock is a clock whose sleeps end at once, moving its time on.
type jumpClock struct {
	mu sync.Mutex
	t  time.Time
}

func (f *jumpClock) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *jumpClock) sleepUntil(ctx context.Context, t time.Time) error {
	f.mu.Lock()
	if t.After(f.t) {
		f.t = t
	}
	f.mu.Unlock()
	return context.Cause(ctx)
}

// TestCompletionLostEndsAtDeadline: a completion that never comes (a lost
// callback, a status pending forever) fails the call as incomplete with
// its latency exactly the deadline, after polls on the schedule.
func TestCompletionLostEndsAtDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode      string
		poll      PollSchedule
		wantPolls int
	}{
		{CompletionCallback, PollSchedule{}, 0},
		// Polls at 0.1, 0.3, 0.7, 1.1, 1.5 and 1.9 s; the next would pass 2 s.
		{CompletionPoll, PollSchedule{Interval: units.Duration(100 * time.Millisecond), Backoff: 2, Max: units.Duration(400 * time.Millisecond)}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			t.Parallel()
			srv := asyncMock(t, tt.mode, time.Millisecond, mockupstream.AsyncFaults{Lost: units.Fraction(1)})
			const deadline = 2 * time.Second
			cc, _, call := asyncSetup(t, srv, Completion{Mode: tt.mode, Deadline: units.Duration(deadline), Poll: tt.poll})
			clock := &jumpClock{t: time.Unix(1000, 0)}
			cc.now, cc.sleepUntil = clock.now, clock.sleepUntil
			res := cc.Call(context.Background(), 1, call)
			if res.Failure != FailureIncomplete || !errors.Is(res.Err, ErrIncomplete) || res.Status != 0 {
				t.Fatalf("Call = status %d, failure %v (%v); want incomplete", res.Status, res.Failure, res.Err)
			}
			if res.Latency != deadline {
				t.Errorf("Call latency = %v, want exactly the deadline %v", res.Latency, deadline)
			}
			if res.Accepted <= 0 {
				t.Errorf("Call accepted = %v, want the 202's latency", res.Accepted)
			}
			if res.Polls != tt.wantPolls {
				t.Errorf("Call polls = %d, want %d", res.Polls, tt.wantPolls)
			}
			if tt.mode == CompletionCallback {
				if as := srv.Stats().Async; as.CallbacksLost != 1 || as.CallbacksSent != 0 {
					t.Errorf("mock async stats %+v, want 1 lost, 0 sent", as)
				}
			}
		})
	}
}

// TestCompletionDuplicatesCompleteOnce: every callback sent twice is
// counted and refused the second time, and each call completes once.
func TestCompletionDuplicatesCompleteOnce(t *testing.T) {
	t.Parallel()
	srv := asyncMock(t, CompletionCallback, 5*time.Millisecond, mockupstream.AsyncFaults{Duplicate: units.Fraction(1)})
	cc, recv, call := asyncSetup(t, srv, Completion{Mode: CompletionCallback, Deadline: units.Duration(5 * time.Second)})
	const n = 20
	var wg sync.WaitGroup
	var ok atomic.Int64
	for seq := range uint64(n) {
		wg.Go(func() {
			if res := cc.Call(context.Background(), seq, call); res.Failure == NoFailure && res.Status == http.StatusAccepted {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	// The duplicates are sent right after the first: wait until they are in.
	for end := time.Now().Add(5 * time.Second); srv.Stats().Async.Pending > 0 && time.Now().Before(end); {
		time.Sleep(time.Millisecond)
	}
	st, as := recv.Stats(), srv.Stats().Async
	if ok.Load() != n || st.Completed != n || st.Duplicates != n || st.Unmatched != 0 || st.Received != 2*n {
		t.Errorf("%d calls completed, receiver %+v; want %d completed once, %d duplicates refused", ok.Load(), st, n, n)
	}
	if as.CallbacksSent != 2*n || as.CallbacksDuplicated != n {
		t.Errorf("mock async stats %+v, want %d sent, %d duplicated", as, 2*n, n)
	}
}

// TestReceiverRefuses: the receiver checks signatures and timestamps,
// applies each event id once and completes each waiting call once.
func TestReceiverRefuses(t *testing.T) {
	t.Parallel()
	recv, err := StartReceiver(ReceiverOptions{Secret: "topsecret"})
	if err != nil {
		t.Fatal(err)
	}
	defer recv.Close()
	w := recv.expect(context.Background(), "fb-1-0")
	now := time.Now().Unix()
	sign := func(secret string, t int64, body string) string { return draws.Sign([]byte(secret), t, []byte(body)) }
	ev1 := `{"id":"evt_1","key":"fb-1-0","status":"done"}`
	ev2 := `{"id":"evt_2","key":"fb-1-0","status":"done"}`
	tests := []struct {
		name, body, sig string
		want            int
	}{
		{"bad signature", ev1, sign("wrong", now, ev1), http.StatusUnauthorized},
		{"no signature", ev1, "", http.StatusUnauthorized},
		{"stale", ev1, sign("topsecret", now-3600, ev1), http.StatusUnauthorized},
		{"not an event", `[1]`, sign("topsecret", now, `[1]`), http.StatusBadRequest},
		{"good", ev1, sign("topsecret", now, ev1), http.StatusNoContent},
		{"replayed", ev1, sign("topsecret", now, ev1), http.StatusOK},
		{"second event, same call", ev2, sign("topsecret", now, ev2), http.StatusNoContent},
	}
	for _, tt := range tests { // in order: each step builds on the last
		req, _ := http.NewRequest(http.MethodPost, recv.URL(), strings.NewReader(tt.body))
		if tt.sig != "" {
			req.Header.Set(draws.HeaderSignature, tt.sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: POST answered %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
	if _, fired := recv.forget("fb-1-0", w); !fired {
		t.Error("the good event did not complete the call")
	}
	want := draws.WebhookCounts{Received: 7, Completed: 1, Duplicates: 1, Unmatched: 1, BadSignature: 2, Stale: 1, Malformed: 1}
	if st := recv.Stats(); st != want {
		t.Errorf("Stats() = %+v, want %+v", st, want)
	}
	http.DefaultClient.CloseIdleConnections()
}

func TestCompletionValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		c    Completion
		want string // a fragment of the error; "" for none
	}{
		{Completion{Mode: "poll", Deadline: units.Duration(time.Second), Poll: PollSchedule{Interval: units.Duration(time.Millisecond), Backoff: 2, Max: units.Duration(time.Second)}}, ""},
		{Completion{Mode: "callback"}, ""},
		{Completion{}, "mode: is missing"},
		{Completion{Mode: "webhook"}, `unknown mode "webhook"`},
		{Completion{Mode: "callback", Poll: PollSchedule{Backoff: 2}}, "poll: applies to mode: poll only"},
		{Completion{Mode: "poll", Poll: PollSchedule{Backoff: 0.5}}, "poll.backoff"},
		{Completion{Mode: "poll", Poll: PollSchedule{Interval: units.Duration(time.Second), Max: units.Duration(time.Millisecond)}}, "poll.max"},
		{Completion{Mode: "poll", Deadline: units.Duration(-time.Second)}, "deadline"},
	}
	for _, tt := range tests {
		err := tt.c.Validate()
		if got := ""; err != nil {
			got = err.Error()
			if tt.want == "" || !strings.Contains(got, tt.want) {
				t.Errorf("%+v.Validate() = %q, want %q", tt.c, got, tt.want)
			}
		} else if tt.want != "" {
			t.Errorf("%+v.Validate() = nil, want %q", tt.c, tt.want)
		}
	}
}

// stubCaller answers every call at once, allocating nothing.
type stubCaller struct{}

func (stubCaller) Call(context.Context, uint64, *Call) CallResult { return CallResult{Status: 200} }

// TestCompletionCallerPlainCallAllocs: a call without a completion costs
// the wrapper no allocation.
func TestCompletionCallerPlainCallAllocs(t *testing.T) {
	cc := NewCompletionCaller(stubCaller{}, nil)
	call := &Call{}
	ctx := context.Background()
	if n := testing.AllocsPerRun(100, func() { _ = cc.Call(ctx, 1, call) }); n != 0 {
		t.Errorf("CompletionCaller.Call without a completion: %v allocations, want 0", n)
	}
}

// slowPolls makes every poll take 30 ms on a jumpClock, and notes when
// each was sent.
type slowPolls struct {
	Caller
	clock *jumpClock
	sent  []time.Duration
	start time.Time
}

func (s *slowPolls) Call(ctx context.Context, seq uint64, call *Call) CallResult {
	res := s.Caller.Call(ctx, seq, call)
	if call.Method == http.MethodGet {
		s.sent = append(s.sent, s.clock.now().Sub(s.start))
		_ = s.clock.sleepUntil(ctx, s.clock.now().Add(30*time.Millisecond))
	}
	return res
}

// TestPollsKeepTheirSchedule: polls are sent every interval from the 202,
// however long each takes to answer (not every interval plus a round
// trip), until the deadline.
func TestPollsKeepTheirSchedule(t *testing.T) {
	t.Parallel()
	srv := asyncMock(t, CompletionPoll, time.Millisecond, mockupstream.AsyncFaults{Lost: units.Fraction(1)})
	cc, _, call := asyncSetup(t, srv, Completion{Mode: CompletionPoll, Deadline: units.Duration(time.Second),
		Poll: PollSchedule{Interval: units.Duration(100 * time.Millisecond), Backoff: 1}})
	clock := &jumpClock{t: time.Unix(1000, 0)}
	slow := &slowPolls{Caller: cc.inner, clock: clock, start: clock.t}
	cc.inner, cc.now, cc.sleepUntil = slow, clock.now, clock.sleepUntil
	res := cc.Call(context.Background(), 1, call)
	if res.Failure != FailureIncomplete || res.Latency != time.Second {
		t.Fatalf("Call = failure %v after %v; want incomplete at the 1s deadline", res.Failure, res.Latency)
	}
	var want []time.Duration
	for i := 1; i <= 9; i++ {
		want = append(want, time.Duration(i)*100*time.Millisecond)
	}
	if !slices.Equal(slow.sent, want) || res.Polls != len(want) {
		t.Errorf("polls sent at %v (%d counted), want %v", slow.sent, res.Polls, want)
	}
}
