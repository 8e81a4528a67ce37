package loadgen

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestConstantDue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pacer  Constant
		n      uint64
		wantAt time.Duration
		wantOK bool
	}{
		{Constant{Rate: 20, Duration: 10 * time.Second}, 0, 0, true},
		{Constant{Rate: 20, Duration: 10 * time.Second}, 1, 50 * time.Millisecond, true},
		{Constant{Rate: 20, Duration: 10 * time.Second}, 199, 9950 * time.Millisecond, true},
		{Constant{Rate: 20, Duration: 10 * time.Second}, 200, 0, false},
		{Constant{Rate: 3, Duration: time.Hour}, 1, 333333333, true},
		{Constant{Rate: 3, Duration: time.Hour}, 3, time.Second, true},
		{Constant{Rate: 3, Duration: time.Hour}, 3000, 1000 * time.Second, true},
		{Constant{Rate: 1e6, Duration: time.Second}, 999_999, 999_999 * time.Microsecond, true},
		{Constant{Rate: 0, Duration: time.Second}, 0, 0, false},
		{Constant{Rate: 10, Duration: 0}, 0, 0, false},
	}
	for _, tt := range tests {
		at, ok := tt.pacer.Due(tt.n)
		if at != tt.wantAt || ok != tt.wantOK {
			t.Errorf("%+v.Due(%d) = %v, %v; want %v, %v", tt.pacer, tt.n, at, ok, tt.wantAt, tt.wantOK)
		}
	}
}

func TestConstantCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pacer Constant
		want  uint64
	}{
		{Constant{Rate: 20, Duration: 10 * time.Second}, 200},
		{Constant{Rate: 20, Duration: 10*time.Second + time.Nanosecond}, 201},
		{Constant{Rate: 0.5, Duration: 10 * time.Second}, 5},
		{Constant{Rate: 1000, Duration: 2500 * time.Millisecond}, 2500},
	}
	for _, tt := range tests {
		if got := Count(tt.pacer, 1<<20); got != tt.want {
			t.Errorf("Count(%+v) = %d, want %d", tt.pacer, got, tt.want)
		}
	}
}

// fakeClock jumps straight to any time it is asked to sleep until.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) SleepUntil(ctx context.Context, t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	return ctx.Err()
}

// recordingWorker appends what it is given to a shared log.
type recordingWorker struct {
	mu      *sync.Mutex
	tickets *[]Ticket
	block   chan struct{} // when non-nil, each Do waits for a value
}

func (w recordingWorker) Do(ctx context.Context, t Ticket) {
	w.mu.Lock()
	*w.tickets = append(*w.tickets, t)
	w.mu.Unlock()
	if w.block != nil {
		select {
		case <-w.block:
		case <-ctx.Done():
		}
	}
}

func TestDriveStampsIntendedStarts(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Unix(1000, 0)}
	var mu sync.Mutex
	var got []Ticket
	st, err := Drive(t.Context(), Config{
		Pacer:       Constant{Rate: 100, Duration: time.Second},
		MaxInFlight: 4,
		NewWorker:   func(int) Worker { return recordingWorker{mu: &mu, tickets: &got} },
		Clock:       clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Started != 100 || len(got) != 100 || st.Interrupted {
		t.Fatalf("Drive started %d, workers saw %d, interrupted %v; want 100, 100, false", st.Started, len(got), st.Interrupted)
	}
	if st.Workers < 1 || st.Workers > 4 {
		t.Errorf("Drive used %d workers, want 1 to 4", st.Workers)
	}
	seen := map[uint64]bool{}
	for _, tk := range got {
		want := time.Unix(1000, 0).Add(time.Duration(tk.Seq) * 10 * time.Millisecond)
		if !tk.Intended.Equal(want) {
			t.Errorf("ticket %d intended at %v, want %v", tk.Seq, tk.Intended, want)
		}
		if seen[tk.Seq] {
			t.Errorf("ticket %d handed out twice", tk.Seq)
		}
		seen[tk.Seq] = true
	}
}

// readAtClock is a fakeClock that closes read the first time the time is
// read at or past at.
type readAtClock struct {
	fakeClock
	at   time.Time
	once sync.Once
	read chan struct{}
}

func (c *readAtClock) Now() time.Time {
	now := c.fakeClock.Now()
	if !now.Before(c.at) {
		c.once.Do(func() { close(c.read) })
	}
	return now
}

func TestDriveCapsInFlightAndKeepsIntendedStart(t *testing.T) {
	t.Parallel()
	// Past the third operation's time, with both workers busy, the
	// dispatcher reads the clock only to stamp the ticket it holds at the
	// cap: the workers are released after that, or the third could find a
	// worker already free and not be held at all.
	clock := &readAtClock{fakeClock: fakeClock{now: time.Unix(0, 0)}, at: time.Unix(0, 0).Add(200 * time.Millisecond), read: make(chan struct{})}
	var mu sync.Mutex
	var got []Ticket
	release := make(chan struct{})
	done := make(chan Stats)
	go func() {
		st, _ := Drive(t.Context(), Config{
			Pacer:       Constant{Rate: 10, Duration: 500 * time.Millisecond},
			MaxInFlight: 2,
			NewWorker:   func(int) Worker { return recordingWorker{mu: &mu, tickets: &got, block: release} },
			Clock:       clock,
		})
		done <- st
	}()
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 2 })
	// Two operations hold both slots; the third is due but must wait.
	mu.Lock()
	if len(got) != 2 {
		t.Errorf("%d operations started with MaxInFlight 2, want 2", len(got))
	}
	mu.Unlock()
	<-clock.read
	for range 5 {
		release <- struct{}{}
	}
	st := <-done
	if st.Workers != 2 || st.Started != 5 {
		t.Errorf("Drive started %d operations on %d workers, want 5 on 2", st.Started, st.Workers)
	}
	for _, tk := range got {
		if want := time.Unix(0, 0).Add(time.Duration(tk.Seq) * 100 * time.Millisecond); !tk.Intended.Equal(want) {
			t.Errorf("ticket %d intended at %v, want %v: waiting for a slot must not move the intended start", tk.Seq, tk.Intended, want)
		}
		// The third was due with both workers busy: it waited for a slot.
		// (The others depend on how fast workers got to their next ticket.)
		if tk.Seq == 2 && (!tk.HeldAtCap || tk.LagAtCap != 0) {
			t.Errorf("ticket 2 HeldAtCap %v, LagAtCap %v; want held, with no lag of the (fake-clock) dispatcher", tk.HeldAtCap, tk.LagAtCap)
		}
	}
}

func TestGeneratorLag(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(100, 0)
	ms := time.Millisecond
	tests := []struct {
		name   string
		ticket Ticket
		actual time.Time
		want   time.Duration
	}{
		{"on time", Ticket{Intended: t0}, t0.Add(50 * time.Microsecond), 50 * time.Microsecond},
		{"late by the generator", Ticket{Intended: t0}, t0.Add(7 * ms), 7 * ms},
		{"held at the cap: the cap's doing", Ticket{Intended: t0, HeldAtCap: true}, t0.Add(900 * ms), 0},
		{"held at the cap, reached late", Ticket{Intended: t0, HeldAtCap: true, LagAtCap: 4 * ms}, t0.Add(900 * ms), 4 * ms},
		{"due while an earlier one was held", Ticket{Intended: t0, Released: t0.Add(400 * ms)}, t0.Add(402 * ms), 2 * ms},
		{"released before it was due", Ticket{Intended: t0, Released: t0.Add(-ms)}, t0.Add(3 * ms), 3 * ms},
		{"early (clock granularity)", Ticket{Intended: t0}, t0.Add(-time.Microsecond), 0},
	}
	for _, tt := range tests {
		if got := tt.ticket.GeneratorLag(tt.actual); got != tt.want {
			t.Errorf("%s: GeneratorLag = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestDriveStopsOnCancelAndLetsInFlightFinish(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	var mu sync.Mutex
	var got []Ticket
	finished := make(chan error, 10)
	worker := workerFunc(func(wctx context.Context, tk Ticket) {
		mu.Lock()
		got = append(got, tk)
		n := len(got)
		mu.Unlock()
		if n == 3 {
			cancel()
		}
		// Operations in flight keep a live context during the grace period.
		finished <- wctx.Err()
	})
	st, err := Drive(ctx, Config{
		Pacer:       Constant{Rate: 1000, Duration: time.Hour},
		MaxInFlight: 1,
		NewWorker:   func(int) Worker { return worker },
		Clock:       &fakeClock{now: time.Unix(0, 0)},
		Grace:       time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !st.Interrupted || st.Started < 3 || st.Started > 4 {
		t.Errorf("Drive = %+v, want interrupted after 3 or 4 operations", st)
	}
	close(finished)
	for err := range finished {
		if err != nil {
			t.Errorf("an operation in flight saw its context end (%v) within the grace period", err)
		}
	}
}

func TestDriveRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, c := range []Config{
		{},
		{Pacer: Constant{Rate: 1, Duration: time.Second}, MaxInFlight: 0, NewWorker: func(int) Worker { return nil }},
		{Pacer: Constant{Rate: 1, Duration: time.Second}, MaxInFlight: 1},
	} {
		if _, err := Drive(t.Context(), c); err == nil {
			t.Errorf("Drive(%+v) accepted an invalid config", c)
		}
	}
}

type workerFunc func(context.Context, Ticket)

func (f workerFunc) Do(ctx context.Context, t Ticket) { f(ctx, t) }

// waitFor polls cond for up to 5 s: a bound on a hang, not a timing claim.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 5s")
		}
		time.Sleep(time.Millisecond)
	}
}

func BenchmarkConstantDue(b *testing.B) {
	p := Constant{Rate: 5000, Duration: time.Hour}
	b.ReportAllocs()
	for i := uint64(0); b.Loop(); i++ {
		_, _ = p.Due(i)
	}
}
