package mockupstream

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestSleeperWaits(t *testing.T) {
	t.Parallel()
	s := newSleeper()
	var wg sync.WaitGroup
	for _, d := range []time.Duration{0, 50 * time.Microsecond, 400 * time.Microsecond, time.Millisecond, 3 * time.Millisecond, 7 * time.Millisecond} {
		for range 5 {
			wg.Go(func() {
				t0 := time.Now()
				// A lower bound only: a loaded machine may wake late, never early.
				if ok := s.wait(context.Background(), d); !ok || time.Since(t0) < d {
					t.Errorf("wait(%v) = %v after %v, want true after at least %v", d, ok, time.Since(t0), d)
				}
			})
		}
	}
	wg.Wait()
	if late := time.Duration(s.late.Load()); late < 0 || late > maxLead {
		t.Errorf("learnt lateness %v, want within [0, %v]", late, maxLead)
	}
	if n := s.yielders.Load(); n != 0 {
		t.Errorf("%d yielders after every wait returned, want 0", n)
	}
}

func TestSleeperCancel(t *testing.T) {
	t.Parallel()
	s := newSleeper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan bool)
	go func() { done <- s.wait(ctx, time.Hour) }()
	cancel()
	if ok := <-done; ok {
		t.Errorf("wait(1h) with its context cancelled = true, want false")
	}
	if ok := s.wait(ctx, time.Microsecond); ok {
		t.Errorf("wait(1µs) on a cancelled context = true, want false")
	}
}
