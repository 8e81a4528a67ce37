package loadgen

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func mustUsers(t testing.TB, start int, stages ...UserStage) *Users {
	t.Helper()
	u, err := NewUsers(start, stages)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUsersActive(t *testing.T) {
	t.Parallel()
	s := time.Second
	up := mustUsers(t, 0, UserStage{10 * s, 10}, UserStage{10 * s, 10}, UserStage{10 * s, 0})
	tests := []struct {
		at   time.Duration
		want int
	}{
		{-1, 0}, {0, 1}, {1, 1}, {s - 1, 1}, {s, 2}, {s + 1, 2}, {9500 * time.Millisecond, 10}, {10 * s, 10},
		{15 * s, 10}, {21 * s, 9}, {25 * s, 5}, {29 * s, 1}, {30*s - 1, 1}, {30 * s, 0},
	}
	for _, tt := range tests {
		if got := up.Active(tt.at); got != tt.want {
			t.Errorf("Active(%v) = %d, want %d", tt.at, got, tt.want)
		}
	}
	if up.Peak() != 10 || up.Duration() != 30*s {
		t.Errorf("Peak, Duration = %d, %v; want 10, 30s", up.Peak(), up.Duration())
	}
}

func TestUsersWindow(t *testing.T) {
	t.Parallel()
	s := time.Second
	ramp := mustUsers(t, 0, UserStage{10 * s, 10}, UserStage{10 * s, 10}, UserStage{10 * s, 0})
	wave := mustUsers(t, 2, UserStage{5 * s, 2}, UserStage{5 * s, 0}, UserStage{5 * s, 0}, UserStage{5 * s, 4})
	tests := []struct {
		name  string
		u     *Users
		k     int
		from  time.Duration
		start time.Duration
		end   time.Duration
		ok    bool
	}{
		{"first user", ramp, 0, 0, 0, 30 * s, true},
		{"fourth user", ramp, 3, 0, 3 * s, 27 * s, true},
		{"last user", ramp, 9, 0, 9 * s, 21 * s, true},
		{"from inside", ramp, 3, 12 * s, 12 * s, 27 * s, true},
		{"after", ramp, 3, 27 * s, 0, 0, false},
		{"no such user", ramp, 10, 0, 0, 0, false},
		{"wave user 1", wave, 1, 0, 0, 7500 * time.Millisecond, true},
		{"wave user 1 again", wave, 1, 7500 * time.Millisecond, 16250 * time.Millisecond, 20 * s, true},
		{"wave user 0 again", wave, 0, 10 * s, 15 * s, 20 * s, true},
		{"wave user 3", wave, 3, 0, 18750 * time.Millisecond, 20 * s, true},
	}
	for _, tt := range tests {
		start, end, ok := tt.u.Window(tt.k, tt.from)
		if start != tt.start || end != tt.end || ok != tt.ok {
			t.Errorf("%s: Window(%d, %v) = %v, %v, %v; want %v, %v, %v", tt.name, tt.k, tt.from, start, end, ok, tt.start, tt.end, tt.ok)
		}
	}
}

// Property: user k is active at t exactly when t lies in one of its
// windows, and Active counts the users whose windows hold t.
func TestUsersWindowAgreesWithActive(t *testing.T) {
	t.Parallel()
	s := time.Second
	for _, u := range []*Users{
		mustUsers(t, 0, UserStage{10 * s, 10}),
		mustUsers(t, 7, UserStage{3 * s, 2}, UserStage{4 * s, 9}, UserStage{2 * s, 9}, UserStage{5 * s, 0}),
		mustUsers(t, 5, UserStage{time.Minute, 5}),
	} {
		for at := time.Duration(0); at < u.Duration(); at += 97 * time.Millisecond {
			n := 0
			for k := range u.Peak() + 1 {
				in := false
				for from := time.Duration(0); ; {
					start, end, ok := u.Window(k, from)
					if !ok {
						break
					}
					in = in || start <= at && at < end
					from = end
				}
				if in {
					n++
				}
			}
			if a := u.Active(at); a != n {
				t.Fatalf("%+v: Active(%v) = %d, but %d users have a window there", u, at, a, n)
			}
		}
	}
}

func TestThinkDrawIsPureAndUniform(t *testing.T) {
	t.Parallel()
	var sum float64
	const n = 100_000
	for i := range uint64(n) {
		u := ThinkDraw(1, 3, i)
		if u < 0 || u >= 1 || u != ThinkDraw(1, 3, i) {
			t.Fatalf("ThinkDraw(1, 3, %d) = %v: want a pure draw in [0, 1)", i, u)
		}
		sum += u
	}
	if mean := sum / n; mean < 0.49 || mean > 0.51 {
		t.Errorf("ThinkDraw averages %v, want 0.5", mean)
	}
	if ThinkDraw(1, 3, 0) == ThinkDraw(1, 4, 0) {
		t.Error("users 3 and 4 draw the same think time")
	}
}

// The closed model in a synctest bubble (users sleep concurrently, which a
// single fake clock cannot model): each user runs back to back, think time
// apart, for its window; latency has no schedule to count from.
func TestDriveClosed(t *testing.T) {
	t.Parallel()
	synctest.Test(t, testDriveClosed)
}

func testDriveClosed(t *testing.T) {
	var mu sync.Mutex
	var got []Ticket
	users, _ := ConstantUsers(3, time.Second)
	begin := time.Now()
	st, err := Drive(t.Context(), Config{
		Users:     users,
		Think:     FixedThink(100 * time.Millisecond),
		Warmup:    200 * time.Millisecond,
		NewWorker: func(int) Worker { return recordingWorker{mu: &mu, tickets: &got} },
	})
	if err != nil {
		t.Fatal(err)
	}
	if !st.Start.Equal(begin) {
		t.Fatalf("Start %v, want %v", st.Start, begin)
	}
	// Each of 3 users: operations at 0, 100, …, 900 ms: 10, of which 2 in the warm-up.
	if st.Started != 30 || st.Workers != 3 || st.Warmup != 6 || st.Interrupted {
		t.Errorf("Drive = %+v; want 30 started on 3 workers, 6 in the warm-up", st)
	}
	seqs := map[uint64]bool{}
	for _, tk := range got {
		if seqs[tk.Seq] {
			t.Errorf("operation number %d given twice", tk.Seq)
		}
		seqs[tk.Seq] = true
		if tk.Warmup != (tk.At < 200*time.Millisecond) || !tk.Intended.Equal(begin.Add(tk.At)) || tk.At%(100*time.Millisecond) != 0 {
			t.Errorf("ticket %+v: want Intended = start + At, warm-up before 200ms", tk)
		}
	}
}

func TestDriveClosedOperationsLimit(t *testing.T) {
	t.Parallel()
	var done atomic.Int64
	users, _ := ConstantUsers(4, time.Hour)
	st, err := Drive(t.Context(), Config{
		Users:      users,
		Think:      FixedThink(time.Millisecond),
		Operations: 50,
		NewWorker:  func(int) Worker { return workerFunc(func(context.Context, Ticket) { done.Add(1) }) },
		Clock:      &fakeClock{now: time.Unix(0, 0)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Started != 50 || done.Load() != 50 || st.Interrupted {
		t.Errorf("Drive = %+v, ran %d; want exactly 50 operations, not interrupted", st, done.Load())
	}
}

// A user checks ctx before each operation, so once cancel has returned at
// most one operation starts: the other user's, if it had checked just
// before. (Counting all operations would bound nothing: operations take no
// time here, so the other user can run any number of them while the
// cancelling one is between its tenth operation and its call to cancel.)
func TestDriveClosedStopsOnCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	var n, afterCancel atomic.Int64
	var cancelled atomic.Bool
	users, _ := ConstantUsers(2, time.Hour)
	st, _ := Drive(ctx, Config{
		Users: users,
		NewWorker: func(int) Worker {
			return workerFunc(func(context.Context, Ticket) {
				if cancelled.Load() {
					afterCancel.Add(1)
				}
				if n.Add(1) == 10 {
					cancel()
					cancelled.Store(true)
				}
			})
		},
		Clock: &fakeClock{now: time.Unix(0, 0)},
	})
	if !st.Interrupted || st.Started < 10 || st.Started != uint64(n.Load()) {
		t.Errorf("Drive = %+v after %d operations; want interrupted after 10 or more", st, n.Load())
	}
	if a := afterCancel.Load(); a > 1 {
		t.Errorf("%d operations started after cancel returned; want at most 1", a)
	}
}

func TestDriveOpenWarmupAndOperations(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []Ticket
	st, err := Drive(t.Context(), Config{
		Pacer:       Constant{Rate: 100, Duration: time.Hour},
		MaxInFlight: 2,
		Warmup:      time.Second,
		Operations:  25,
		NewWorker:   func(int) Worker { return recordingWorker{mu: &mu, tickets: &got} },
		Clock:       &fakeClock{now: time.Unix(0, 0)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Started != 125 || st.Warmup != 100 || st.Interrupted {
		t.Errorf("Drive = %+v; want 100 in the warm-up then 25", st)
	}
	for _, tk := range got {
		if tk.Warmup != (tk.Seq < 100) {
			t.Errorf("ticket %d warm-up %v", tk.Seq, tk.Warmup)
		}
	}
}

// With DropAtCap, operations due while the cap is full are counted as
// dropped, never started, never waited for.
func TestDriveDropsAtCap(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var mu sync.Mutex
	var got []Ticket
	clock := &fakeClock{now: time.Unix(0, 0)}
	done := make(chan Stats)
	go func() {
		st, _ := Drive(t.Context(), Config{
			Pacer:       Constant{Rate: 100, Duration: time.Second},
			MaxInFlight: 3,
			DropAtCap:   true,
			Grace:       time.Millisecond, // then the blocked operations are cut off
			NewWorker:   func(int) Worker { return recordingWorker{mu: &mu, tickets: &got, block: release} },
			Clock:       clock,
		})
		done <- st
	}()
	st := <-done // the fake clock runs the whole schedule while 3 operations hold the cap
	close(release)
	if st.Started != 3 || st.Dropped != 97 {
		t.Errorf("Drive = %+v; want 3 started and 97 dropped", st)
	}
}

// At the natural end of the schedule, operations in flight get the grace
// period, then their context ends.
func TestDriveGraceAtEnd(t *testing.T) {
	t.Parallel()
	cut := make(chan error, 1)
	st, err := Drive(t.Context(), Config{
		Pacer:       Constant{Rate: 1, Duration: time.Second},
		MaxInFlight: 1,
		Grace:       10 * time.Millisecond,
		NewWorker: func(int) Worker {
			return workerFunc(func(ctx context.Context, _ Ticket) { <-ctx.Done(); cut <- ctx.Err() })
		},
		Clock: &fakeClock{now: time.Unix(0, 0)},
	})
	if err != nil || st.Started != 1 || st.Interrupted {
		t.Fatalf("Drive = %+v, %v", st, err)
	}
	if err := <-cut; err == nil {
		t.Error("the operation in flight was not cut off after the grace period")
	}
}

func TestDriveRejectsBothModels(t *testing.T) {
	t.Parallel()
	users, _ := ConstantUsers(1, time.Second)
	if _, err := Drive(t.Context(), Config{Pacer: Constant{Rate: 1, Duration: time.Second}, Users: users, MaxInFlight: 1,
		NewWorker: func(int) Worker { return nil }}); err == nil {
		t.Error("Drive accepted a pacer and users together")
	}
}

func BenchmarkUsersWindow(b *testing.B) {
	u := mustUsers(b, 0, UserStage{time.Minute, 100}, UserStage{time.Hour, 100}, UserStage{time.Minute, 0})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, _, _ = u.Window(i%100, 0)
	}
}
