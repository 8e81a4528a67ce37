package precise

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// BenchmarkSleepAmongTimers sleeps 200 µs at a time while 20,000 other Go
// timers are pending, as a load generator's pacer does beside the timeouts
// of 10,000 calls in flight and the idle timers of their connections. It
// reports the process's CPU time per sleep (user+sys, all goroutines):
// a timer reset while still in the runtime's heap makes the runtime walk
// that whole heap, on every sleep.
func BenchmarkSleepAmongTimers(b *testing.B) {
	crowd := make([]*time.Timer, 20_000)
	for i := range crowd {
		crowd[i] = time.AfterFunc(time.Hour+time.Duration(i)*time.Millisecond, func() {})
	}
	defer func() {
		for _, t := range crowd {
			t.Stop()
		}
	}()
	ctx := context.Background()
	before := cpuTime()
	for b.Loop() {
		_ = SleepUntil(ctx, time.Now().Add(200*time.Microsecond))
	}
	b.ReportMetric(float64((cpuTime()-before).Nanoseconds())/float64(b.N)/1e3, "cpu-µs/sleep")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
