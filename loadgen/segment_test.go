package loadgen

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestParseSegment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Segment
		wantStr string
		wantErr bool
	}{
		{"0:1", Segment{}, "0:1", false},
		{"0:1/3", Segment{From: 0, To: 1, Den: 3}, "0:1/3", false},
		{"1/3:2/3", Segment{From: 1, To: 2, Den: 3}, "1/3:2/3", false},
		{"2/3:1", Segment{From: 2, To: 3, Den: 3}, "2/3:1", false},
		{"1/4:1/2", Segment{From: 1, To: 2, Den: 4}, "1/4:1/2", false},
		{"1/3:1/2", Segment{From: 2, To: 3, Den: 6}, "1/3:1/2", false},
		{"2/4:4/4", Segment{From: 2, To: 4, Den: 4}, "1/2:1", false},
		{"1/2", Segment{}, "", true},
		{"1/2:1/3", Segment{}, "", true},
		{"0:0", Segment{}, "", true},
		{"0:3/2", Segment{}, "", true},
		{"a:1", Segment{}, "", true},
		{"0:1/0", Segment{}, "", true},
		{"-1/2:1", Segment{}, "", true},
		{"0:1/70000", Segment{}, "", true},
		{"1/65536:1/65535", Segment{}, "", true},
	}
	for _, tt := range tests {
		got, err := ParseSegment(tt.in)
		if tt.wantErr {
			if !errors.Is(err, ErrSegment) {
				t.Errorf("ParseSegment(%q) = %+v, %v; want an ErrSegment", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want || got.String() != tt.wantStr {
			t.Errorf("ParseSegment(%q) = %+v (%s), %v; want %+v (%s)", tt.in, got, got, err, tt.want, tt.wantStr)
		}
	}
}

// The segments of a partition hold every operation once; Below counts
// what Has says, and Nth lists the same operations in order.
func TestPartitionRejectsGapsAndOverlaps(t *testing.T) {
	t.Parallel()
	for _, p := range [][]string{{"0:1/2"}, {"0:1/2", "1/3:1"}, {"0:1/2", "2/3:1"}, {"1/2:1", "0:1/2"}} {
		if _, err := Partition(p...); !errors.Is(err, ErrSegment) {
			t.Errorf("Partition(%q) = %v, want an ErrSegment", p, err)
		}
	}
}

func TestSegmentsPartition(t *testing.T) {
	t.Parallel()
	partitions := [][]string{
		{"0:1"},
		{"0:1/2", "1/2:1"},
		{"0:1/3", "1/3:2/3", "2/3:1"},
		{"0:1/10", "1/10:1/2", "1/2:1"},
		{"0:1/4", "1/4:1/3", "1/3:1"},
	}
	for _, p := range partitions {
		segs, err := Partition(p...)
		if err != nil {
			t.Fatal(err)
		}
		const n = 1000
		owners := make([]int, n)
		for _, seg := range segs {
			var j uint64
			for op := range uint64(n) {
				if !seg.Has(op) {
					continue
				}
				owners[op]++
				if got := seg.Nth(j); got != op {
					t.Errorf("%v: Nth(%d) = %d, want %d", seg, j, got, op)
				}
				j++
				if got := seg.Below(op + 1); got != j {
					t.Errorf("%v: Below(%d) = %d, want %d", seg, op+1, got, j)
				}
			}
		}
		for op, k := range owners {
			if k != 1 {
				t.Errorf("partition %v: operation %d is in %d segments, want 1", p, op, k)
			}
		}
	}
}

// Three drives of a constant rate, one per third, start exactly the
// operations one drive of the whole starts, at the same intended offsets.
func TestDriveOpenSegmentsUnion(t *testing.T) {
	t.Parallel()
	{
		drive := func(seg Segment) []Ticket {
			var mu sync.Mutex
			var got []Ticket
			_, err := Drive(t.Context(), Config{
				Pacer: Constant{Rate: 100, Duration: time.Second}, MaxInFlight: 4, Warmup: 100 * time.Millisecond,
				Operations: 70, Segment: seg, Clock: &fakeClock{now: time.Unix(0, 0)},
				NewWorker: func(int) Worker { return recordingWorker{mu: &mu, tickets: &got} },
			})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		key := func(tk Ticket) [2]uint64 { return [2]uint64{tk.Seq, uint64(tk.At)} }
		var whole, union [][2]uint64
		for _, tk := range drive(Segment{}) {
			whole = append(whole, key(tk))
		}
		for i := range 3 {
			for _, tk := range drive(Share(i, 3)) {
				union = append(union, key(tk))
			}
		}
		cmp := func(a, b [2]uint64) int { return int(a[0]) - int(b[0]) }
		slices.SortFunc(whole, cmp)
		slices.SortFunc(union, cmp)
		if len(whole) != 80 || !slices.Equal(whole, union) {
			t.Errorf("whole drive: %d operations; union of 3 segments: %d; want 80 (10 warm-up + 70) and the same", len(whole), len(union))
		}
	}
}

// Splitting a closed model's users: each segment runs its own users, and
// the operation numbers never collide.
func TestDriveClosedSegments(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		users, _ := ConstantUsers(5, time.Second)
		seen := map[uint64]bool{}
		total, workers := 0, 0
		for i := range 2 {
			var mu sync.Mutex
			var got []Ticket
			st, err := Drive(t.Context(), Config{Users: users, Think: FixedThink(100 * time.Millisecond), Segment: Share(i, 2),
				NewWorker: func(int) Worker { return recordingWorker{mu: &mu, tickets: &got} }})
			if err != nil {
				t.Fatal(err)
			}
			workers += st.Workers
			for _, tk := range got {
				if seen[tk.Seq] {
					t.Errorf("segment %d: operation number %d used twice", i, tk.Seq)
				}
				seen[tk.Seq] = true
			}
			total += len(got)
		}
		if workers != 5 || total != 50 {
			t.Errorf("2 segments of 5 users: %d users ran %d operations; want 5 and 50", workers, total)
		}
	})
}

// FuzzParseSegment: any text parses to a segment that prints back to
// itself, or to an ErrSegment; never a panic.
func FuzzParseSegment(f *testing.F) {
	for _, s := range []string{"0:1", "1/3:2/3", "0:1/70000", "1/2", "a:b", "2/4:3/4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		seg, err := ParseSegment(s)
		if err != nil {
			if !errors.Is(err, ErrSegment) {
				t.Fatalf("ParseSegment(%q): %v, not an ErrSegment", s, err)
			}
			return
		}
		again, err := ParseSegment(seg.String())
		if err != nil || again.String() != seg.String() {
			t.Fatalf("ParseSegment(%q) = %v; its text %q parses to %v, %v", s, seg, seg.String(), again, err)
		}
		if !seg.Whole() && (seg.From >= seg.To || seg.To > seg.Den) {
			t.Fatalf("ParseSegment(%q) = %+v: not within [0, 1]", s, seg)
		}
	})
}
