package loadgen

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestNotStarted(t *testing.T) {
	t.Parallel()
	constant := Constant{Rate: 10, Duration: 10 * time.Second} // 100 operations, 0 to 9.9 s
	huge := Constant{Rate: 1e9, Duration: time.Hour}           // 3.6e12 operations
	for _, tt := range []struct {
		name     string
		c        Config
		seq      uint64
		measured uint64 // handed out past the warm-up, seq included when past it
		want     uint64
	}{
		{"the rest of the schedule", Config{Pacer: constant}, 40, 41, 60},
		{"the first", Config{Pacer: constant}, 0, 1, 100},
		{"the last", Config{Pacer: constant}, 99, 100, 1},
		{"not the warm-up", Config{Pacer: constant, Warmup: 5 * time.Second}, 40, 0, 50},
		{"up to the operation count", Config{Pacer: constant, Operations: 70}, 40, 31, 40},
		{"the count reached", Config{Pacer: constant, Operations: 30}, 40, 31, 0},
		{"billions, searched", Config{Pacer: huge}, 1000, 1001, 3_600_000_000_000 - 1000},
	} {
		ticket := Ticket{Seq: tt.seq}
		if at, _ := tt.c.Pacer.Due(tt.seq); at < tt.c.Warmup {
			ticket.Warmup = true
		}
		if got := notStarted(tt.c, ticket, tt.measured); got != tt.want {
			t.Errorf("%s: notStarted(seq %d, measured %d) = %d, want %d", tt.name, tt.seq, tt.measured, got, tt.want)
		}
	}
	// Poisson arrivals are walked; the count is theirs exactly.
	p := NewPoisson(Constant{Rate: 1000, Duration: 2 * time.Second}, 7)
	all := Count(NewPoisson(Constant{Rate: 1000, Duration: 2 * time.Second}, 7), 1<<20)
	if got := notStarted(Config{Pacer: p}, Ticket{Seq: 100}, 101); got != all-100 {
		t.Errorf("Poisson: notStarted(seq 100) = %d, want %d", got, all-100)
	}
}

// TestDriveEndsAtLengthPlusGrace: a schedule no machine can keep (a billion
// operations a second) ends at its length plus the grace period, not when
// its last operation has started, and counts the operations it could not
// start.
func TestDriveEndsAtLengthPlusGrace(t *testing.T) {
	t.Parallel()
	var done atomic.Uint64
	pacer := Constant{Rate: 1e9, Duration: 50 * time.Millisecond} // 50 million operations
	began := time.Now()
	st, err := Drive(t.Context(), Config{
		Pacer: pacer, MaxInFlight: 2, Length: pacer.Duration, Grace: 50 * time.Millisecond,
		NewWorker: func(int) Worker { return workerFunc(func(context.Context, Ticket) { done.Add(1) }) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("the drive took %v, want about 100ms", took)
	}
	if st.NotStarted == 0 || st.Started+st.NotStarted != 50_000_000 || st.Interrupted {
		t.Errorf("Drive: started %d + not started %d, want 50000000 in all (interrupted %v)", st.Started, st.NotStarted, st.Interrupted)
	}
}
