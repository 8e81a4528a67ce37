package metrics

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// The live counts index values as hdrhistogram-go does, so that Counts
// converts to a Histogram exactly.
func TestHDRIndexMatchesLibrary(t *testing.T) {
	t.Parallel()
	ref := hdrhistogram.New(lowestMicros, highestMicros, sigFigs)
	if n := len(ref.Export().Counts); n != hdrCountsLen {
		t.Fatalf("the library's counts array has %d entries, hdrCountsLen is %d", n, hdrCountsLen)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	values := []int64{1, 2, 1023, 1024, 2047, 2048, 2049, 4095, 4096, 1 << 20, highestMicros}
	for range 300 {
		values = append(values, 1+rng.Int64N(highestMicros))
		values = append(values, 1+rng.Int64N(10_000))
	}
	for _, v := range values {
		ref.Reset()
		if err := ref.RecordValue(v); err != nil {
			t.Fatal(err)
		}
		want := -1
		for i, n := range ref.Export().Counts {
			if n != 0 {
				want = i
			}
		}
		if got := hdrIndex(v); got != want {
			t.Fatalf("hdrIndex(%d) = %d, the library counts it at %d", v, got, want)
		}
		lo, w := hdrBin(want)
		if v < lo || v > lo+w-1 || hdrIndex(lo) != want || hdrIndex(lo+w-1) != want {
			t.Fatalf("hdrBin(%d) = [%d, %d], does not hold %d or is not the bin's range", want, lo, lo+w-1, v)
		}
		if !ref.ValuesAreEquivalent(lo, v) || !ref.ValuesAreEquivalent(lo+w-1, v) || ref.ValuesAreEquivalent(lo-1, v) || ref.ValuesAreEquivalent(lo+w, v) {
			t.Fatalf("hdrBin(%d) = [%d, %d] is not the library's range of values equivalent to %d", want, lo, lo+w-1, v)
		}
	}
}

// Once the recorders have stopped, the live counts equal their merged
// histograms and counters exactly.
func TestLiveCountsEqualMergedRecorders(t *testing.T) {
	t.Parallel()
	live := NewLive()
	l := testLayout
	l.Live = live
	a, b := NewRecorder(l), NewRecorder(l)
	fill(a, 0, 700)
	fill(b, 700, 1500)
	a.RecordOperation(OutcomeOK, 0, 2*time.Minute, -time.Second, 0) // the clamped ends
	merged := NewRecorder(testLayout)
	merged.Merge(a)
	merged.Merge(b)

	lc := live.Read()
	for _, c := range []struct {
		name string
		got  *Counts
		want *Histogram
	}{
		{"latency", lc.Latency, merged.Latency}, {"service", lc.ServiceTime, merged.Service},
		{"lag", lc.ScheduleLag, merged.Lag},
		{"upstream 0", lc.Upstreams[0].Latency, merged.Upstreams[0].Latency},
		{"upstream 1", lc.Upstreams[1].Latency, merged.Upstreams[1].Latency},
	} {
		got, err := c.got.Histogram().Encode()
		if err != nil {
			t.Fatal(err)
		}
		want, _ := c.want.Encode()
		if got != want || c.got.Total() != c.want.Count() {
			t.Errorf("%s: live counts (%d values) differ from the merged histogram (%d values)", c.name, c.got.Total(), c.want.Count())
		}
	}
	wantOutcomes := Outcomes{OK: merged.Outcomes[OutcomeOK], Partial: merged.Outcomes[OutcomePartial], Failed: merged.Outcomes[OutcomeFailed]}
	if lc.Outcomes != wantOutcomes {
		t.Errorf("outcomes %+v, want %+v", lc.Outcomes, wantOutcomes)
	}
	for i, u := range lc.Upstreams {
		mu := merged.Upstreams[i]
		if u.Name != testLayout.Upstreams[i] || u.Calls != mu.Calls || u.Attempts != mu.Attempts {
			t.Errorf("upstream %d: %s %d calls %d attempts, want %s %d %d", i, u.Name, u.Calls, u.Attempts, testLayout.Upstreams[i], mu.Calls, mu.Attempts)
		}
		if u.Statuses[200] != mu.Statuses[200] || u.Statuses[503] != mu.Statuses[503] {
			t.Errorf("upstream %d: statuses %v, want 200×%d 503×%d", i, u.Statuses, mu.Statuses[200], mu.Statuses[503])
		}
		for f, name := range testLayout.Failures {
			if u.Failures[name] != mu.Failures[f] {
				t.Errorf("upstream %d: %s %d, want %d", i, name, u.Failures[name], mu.Failures[f])
			}
		}
	}
	// An interval is the difference of two reads.
	fill(a, 1500, 1600)
	later := live.Read()
	if d := later.Latency.Since(lc.Latency); d.Total() != 100 {
		t.Errorf("the interval holds %d values, want 100", d.Total())
	}
}

func TestLiveRecordingAllocatesNothing(t *testing.T) {
	l := testLayout
	l.Live = NewLive()
	r := NewRecorder(l)
	record := func() {
		r.RecordOperation(OutcomePartial, 300*time.Millisecond, 299*time.Millisecond, time.Microsecond, time.Microsecond)
		r.RecordCall(CallSample{Upstream: 1, Status: 503, Failure: -1, Attempts: 1, Latency: 300 * time.Millisecond})
		r.RecordCall(CallSample{Upstream: 0, Failure: 1, Attempts: 3, Latency: 20 * time.Millisecond})
	}
	record() // the first values allocate the counts
	if allocs := testing.AllocsPerRun(1000, record); allocs != 0 {
		t.Errorf("recording with live counts allocates %v times per operation, want 0", allocs)
	}
}

// Reading while recorders record is safe (the race detector checks) and
// never sees more than was recorded.
func TestLiveReadDuringRecording(t *testing.T) {
	t.Parallel()
	l := testLayout
	l.Live = NewLive()
	var wg sync.WaitGroup
	const perWorker = 2000
	for w := range 2 {
		r := NewRecorder(l)
		wg.Go(func() { fill(r, w*perWorker, (w+1)*perWorker) })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		lc := l.Live.Read()
		if n := lc.Latency.Total(); n > 2*perWorker {
			t.Fatalf("read %d values, only %d were recorded", n, 2*perWorker)
		}
		select {
		case <-done:
			if n := l.Live.Read().Latency.Total(); n != 2*perWorker {
				t.Fatalf("read %d values once the recorders stopped, want %d", n, 2*perWorker)
			}
			return
		default:
		}
	}
}

// BenchmarkRecordOperationLive is BenchmarkRecordOperation with live
// counts (an exporter such as --otlp or --hlog): what they add per
// operation of two calls.
func BenchmarkRecordOperationLive(b *testing.B) {
	l := testLayout
	l.Live = NewLive()
	r := NewRecorder(l)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d := time.Duration(i&1023) * time.Millisecond
		r.RecordOperation(OutcomeOK, d, d, 0, 0)
		r.RecordCall(CallSample{Upstream: 0, Status: 200, Attempts: 1, Latency: d})
		r.RecordCall(CallSample{Upstream: 1, Status: 200, Attempts: 1, Latency: d})
	}
}
