package precise

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Sleepers never wake early, however many and whatever their lengths;
// when the last has woken, the spinner stops.
func TestSleepUntilNeverEarly(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	for _, d := range []time.Duration{-time.Millisecond, 0, 50 * time.Microsecond, 400 * time.Microsecond, time.Millisecond, 1500 * time.Microsecond, 3 * time.Millisecond, 7 * time.Millisecond} {
		for range 20 {
			wg.Go(func() {
				at := time.Now().Add(d)
				if err := SleepUntil(context.Background(), at); err != nil || time.Now().Before(at) {
					t.Errorf("SleepUntil(now + %v) = %v, %v early", d, err, time.Until(at))
				}
			})
		}
	}
	wg.Wait()
	if n, _ := std.pending(); n != 0 {
		t.Errorf("%d sleepers left after all woke", n)
	}
}

// A sleep allocates nothing, whether the timerfd or the backup timer wakes
// it, once enough sleepers rest for reuse: the pacer that sleeps must not
// be drafted into the garbage collector's marking, which an allocating
// goroutine may be.
func TestSleepUntilAllocatesNothing(t *testing.T) {
	if !std.ok() {
		t.Skip("no timerfd here")
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for range restingSleepers + 1 { // at once, so that as many are made
		wg.Go(func() { _ = SleepUntil(ctx, time.Now().Add(time.Millisecond)) })
	}
	wg.Wait()
	if allocs := testing.AllocsPerRun(200, func() { _ = SleepUntil(ctx, time.Now().Add(20*time.Microsecond)) }); allocs != 0 {
		t.Errorf("SleepUntil allocates %v times per sleep, want 0", allocs)
	}
}

func TestSleepUntilCancelled(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
	}{
		{"an hour away", time.Hour},
		{"short", 500 * time.Microsecond},
	}
	for _, tt := range tests {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- SleepUntil(ctx, time.Now().Add(tt.d)) }()
		cancel()
		if err := <-done; err == nil && tt.d == time.Hour {
			t.Errorf("%s: SleepUntil returned nil after its context was cancelled", tt.name)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := SleepUntil(ctx, time.Now().Add(-time.Second)); err == nil {
		t.Error("SleepUntil on a cancelled context, time past: nil, want the context's error")
	}
}

// BenchmarkLateness compares how late a 10 ms sleep ends, p50 and p99,
// on a timer and with SleepUntil, 20 sleepers at a time (a mock upstream
// at 2,000 requests/s): make bench reports the figures.
func BenchmarkLateness(b *testing.B) {
	for _, tt := range []struct {
		name  string
		sleep func(time.Time)
	}{
		{"timer", func(at time.Time) { time.Sleep(time.Until(at)) }},
		{"precise", func(at time.Time) { _ = SleepUntil(context.Background(), at) }},
	} {
		b.Run(tt.name, func(b *testing.B) {
			var mu sync.Mutex
			var late []time.Duration
			for b.Loop() {
				var wg sync.WaitGroup
				for i := range 20 {
					wg.Go(func() {
						at := time.Now().Add(10*time.Millisecond + time.Duration(i)*50*time.Microsecond)
						tt.sleep(at)
						l := time.Since(at)
						mu.Lock()
						late = append(late, l)
						mu.Unlock()
					})
				}
				wg.Wait()
			}
			slices.Sort(late)
			b.ReportMetric(float64(late[len(late)/2].Microseconds()), "late-p50-µs")
			b.ReportMetric(float64(late[len(late)*99/100].Microseconds()), "late-p99-µs")
		})
	}
}

// A sleeper cancelled long before its time does not keep the waking
// goroutine waiting for that time: it ends at once.
func TestCancelledSleeperFreesTheWaker(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- SleepUntil(ctx, time.Now().Add(time.Hour)) }()
	time.Sleep(10 * time.Millisecond) // let it queue
	cancel()
	if err := <-done; err == nil {
		t.Fatal("SleepUntil(1h) returned nil after its context was cancelled")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, running := std.pending()
		if n == 0 && !running {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("5 s after the only sleeper was cancelled: %d sleepers, waking goroutine alive %v", n, running)
		}
		time.Sleep(time.Millisecond)
	}
}

// The waking goroutine outlives its last sleeper by the linger time, so a
// sleep soon after finds it alive and starts no goroutine (which would take
// the next-to-run slot of the sleeper's processor: see linger); then it
// ends.
func TestWakerLingers(t *testing.T) {
	if !std.ok() {
		t.Skip("no timerfd here: plain timers, no waking goroutine")
	}
	setLinger := func(d time.Duration) {
		std.mu.Lock()
		defer std.mu.Unlock()
		std.lingerFor = d
		if std.running {
			std.arm(time.Now()) // look at it now
		}
	}
	setLinger(time.Hour)
	defer setLinger(0)
	for i := range 3 {
		if err := SleepUntil(context.Background(), time.Now().Add(time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		if n, running := std.pending(); n != 0 || !running {
			t.Fatalf("after sleep %d: %d sleepers, waking goroutine alive %v; want 0, alive", i, n, running)
		}
	}
	setLinger(time.Nanosecond)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		if _, running := std.pending(); !running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("5 s past its linger time the waking goroutine is still alive")
		}
	}
}
