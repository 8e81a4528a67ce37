package metrics

import (
	"sync"
	"testing"
	"time"
)

// A recorder hands a second over as soon as it completes an operation in a
// later one, so the series can be read during the run; the second it is in
// stays with it until FlushWindows.
func TestWindowsLiveSeesPastSeconds(t *testing.T) {
	t.Parallel()
	l := windowLayout()
	r := NewRecorder(l)
	record := func(o Outcome, at, latency time.Duration) {
		r.RecordWindow(o, at, latency, 0)
	}
	record(OutcomeOK, 100*time.Millisecond, 200*time.Millisecond)     // ends in second 0
	record(OutcomeFailed, 400*time.Millisecond, 300*time.Millisecond) // ends in second 0
	record(OutcomeOK, 900*time.Millisecond, 300*time.Millisecond)     // ends in second 1: hands 0 over
	tests := []struct {
		sec                        int64
		wantWindowCompleted        uint64
		wantCompleted, wantNotOK   uint64
		wantP99AtLeast, wantP99Max float64
	}{
		{sec: 0, wantWindowCompleted: 2, wantCompleted: 2, wantNotOK: 1, wantP99AtLeast: 200, wantP99Max: 300},
		{sec: 1, wantWindowCompleted: 0, wantCompleted: 2, wantNotOK: 1},
		{sec: 7, wantWindowCompleted: 0, wantCompleted: 2, wantNotOK: 1},
		{sec: -1, wantWindowCompleted: 0, wantCompleted: 2, wantNotOK: 1},
	}
	for _, tt := range tests {
		w, completed, notOK := l.Windows.Live(tt.sec, l.Failures)
		if w.AtS != tt.sec || w.Completed != tt.wantWindowCompleted || completed != tt.wantCompleted || notOK != tt.wantNotOK {
			t.Errorf("Live(%d) = window at %d with %d completed, %d completed, %d not ok; want at %d with %d, %d, %d",
				tt.sec, w.AtS, w.Completed, completed, notOK, tt.sec, tt.wantWindowCompleted, tt.wantCompleted, tt.wantNotOK)
		}
		if w.P99 < tt.wantP99AtLeast || w.P99 > tt.wantP99Max {
			t.Errorf("Live(%d) p99 = %.1f ms, want within [%.0f, %.0f]", tt.sec, w.P99, tt.wantP99AtLeast, tt.wantP99Max)
		}
	}
	r.FlushWindows()
	if w, completed, _ := l.Windows.Live(1, l.Failures); w.Completed != 1 || completed != 3 {
		t.Errorf("after FlushWindows, Live(1) = %d completed in the window, %d in all; want 1 and 3", w.Completed, completed)
	}
	if ws := l.Windows.Result(l.Failures); len(ws) != 2 || ws[0].Started != 3 || ws[1].Started != 0 || ws[0].Completed != 2 || ws[1].Completed != 1 {
		t.Errorf("windows after the early hand-over = %+v; want second 0 with 3 started (the third reopened its slot) and 2 completed, second 1 with 1 completed", ws)
	}
}

// Reading the series while workers record is safe (run with -race).
func TestWindowsLiveWhileRecording(t *testing.T) {
	t.Parallel()
	l := windowLayout()
	var wg sync.WaitGroup
	for range 4 {
		r := NewRecorder(l)
		wg.Go(func() {
			for i := range 3000 {
				r.RecordWindow(OutcomeOK, time.Duration(i)*time.Millisecond, time.Millisecond, 0)
			}
			r.FlushWindows()
		})
	}
	for sec := range int64(50) {
		l.Windows.Live(sec%3, l.Failures)
	}
	wg.Wait()
	if _, completed, notOK := l.Windows.Live(0, l.Failures); completed != 4*3000 || notOK != 0 {
		t.Errorf("after the workers flushed: %d completed, %d not ok; want %d and 0", completed, notOK, 4*3000)
	}
}
