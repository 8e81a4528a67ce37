package mockupstream

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestSleepWaits(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	for _, d := range []time.Duration{0, 50 * time.Microsecond, 400 * time.Microsecond, time.Millisecond, 3 * time.Millisecond, 7 * time.Millisecond} {
		for range 5 {
			wg.Go(func() {
				t0 := time.Now()
				// A lower bound only: a loaded machine may wake late, never early.
				if ok := sleep(context.Background(), d); !ok || time.Since(t0) < d {
					t.Errorf("sleep(%v) = %v after %v, want true after at least %v", d, ok, time.Since(t0), d)
				}
			})
		}
	}
	wg.Wait()
}

func TestSleepCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan bool)
	go func() { done <- sleep(ctx, time.Hour) }()
	cancel()
	if ok := <-done; ok {
		t.Errorf("sleep(1h) with its context cancelled = true, want false")
	}
	if ok := sleep(ctx, time.Microsecond); ok {
		t.Errorf("sleep(1µs) on a cancelled context = true, want false")
	}
}
