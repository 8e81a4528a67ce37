package machine

import (
	"strings"
	"testing"
)

func TestFits(t *testing.T) {
	t.Parallel()
	if Memory() < 64<<20 {
		t.Fatalf("Memory() = %d, implausibly small", Memory())
	}
	if err := Fits(1000, GoroutineBytes, "workers"); err != nil {
		t.Errorf("Fits(1000 goroutines) = %v", err)
	}
	err := Fits(1_000_000_000, GoroutineBytes, "workers")
	if err == nil || !strings.Contains(err.Error(), "1000000000 workers need about 59.6 TiB (64 KiB each), more than the ") ||
		!strings.Contains(err.Error(), "of memory here; at most ") {
		t.Errorf("Fits(1e9 goroutines) = %v", err)
	}
	if err := Fits(1<<62, 1<<20, "items"); err == nil || !strings.Contains(err.Error(), "need about 8 EiB") {
		t.Errorf("Fits(an overflowing count) = %v", err)
	}
}

func TestRound(t *testing.T) {
	t.Parallel()
	for n, want := range map[uint64]uint64{7: 7, 99: 99, 376123: 370000, 1009: 1000} {
		if got := round(n); got != want {
			t.Errorf("round(%d) = %d, want %d", n, got, want)
		}
	}
}
