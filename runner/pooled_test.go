package runner

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
)

// poolScenario: two upstreams answering in a fixed 10 ms, called by every
// operation, through one pooled strategy. Capacity is workers / 10 ms calls
// per second; arrivals are 2 × rate calls per second. The rate's period
// (1/rate) is kept off multiples of the sample interval so that sampling
// does not alias with the schedule.
func poolScenario(t *testing.T, strategy string, rate int, arrivals string, duration time.Duration) *scenarios.Scenario {
	t.Helper()
	yaml := fmt.Sprintf(`
name: pool
seed: 5
upstreams:
  profile: {mock: {latency: 10ms}}
  audit:   {mock: {latency: 10ms}}
operation:
  calls:
    - {upstream: profile, method: PUT, path: "/users/{{.Seq}}", critical: true}
    - {upstream: audit, method: POST, path: /log}
strategies: [%s]
load: {rate: %d/s, arrivals: %s, duration: %s, max_in_flight: 2000}
`, strategy, rate, arrivals, duration)
	sc, err := scenarios.Parse("pool.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// sampleEvery is the depth sampling interval of these tests: often, so
// that a run of a second or two gives hundreds of samples, and off the
// schedule's periods.
const sampleEvery = 1700 * time.Microsecond

// Little's law, L = λW, holds for the pool below and above its capacity,
// blocking or rejecting: the sampled mean depth matches the arrival rate
// times the mean time in the pool within 20%. Above capacity, each case
// also checks what overload does (see checkBacklogGrows, checkRejects).
func TestPooledLittlesLaw(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		strategy string
		rate     int
		arrivals string
		// minL: L must be at least this, so that the case tests what it says
		// (a pool that is actually loaded).
		minL  float64
		check func(*testing.T, metrics.StrategyResult)
	}{
		// 180 calls/s against 400/s: L ≈ 180 × 10 ms ≈ 1.8.
		{"below capacity", "{name: pooled, workers: 4}", 90, "uniform", 1.2, nil},
		// 300 calls/s against 200/s: a backlog builds for the whole second.
		{"above capacity, block", "{name: pooled, workers: 2}", 150, "uniform", 20, checkBacklogGrows},
		// The same overload into a queue of 20: the rest is rejected. The
		// arrivals are Poisson: evenly spaced ones against calls of an even
		// 10 ms can find a free slot for every critical call (the first of
		// its operation), and reject only the second calls.
		{"above capacity, reject", "{name: pooled, workers: 2, queue: 20, when_full: reject}", 150, "poisson", 10, checkRejects},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := Run(t.Context(), poolScenario(t, tt.strategy, tt.rate, tt.arrivals, time.Second), Options{SampleEvery: sampleEvery})
			if err != nil {
				t.Fatal(err)
			}
			sr := strategyByName(t, res, "pooled")
			pool := sr.Pool
			if pool == nil {
				t.Fatal("the pooled strategy's result has no pool")
			}
			ll := pool.LittlesLaw
			t.Logf("L = %.2f, λ = %.1f/s, W = %.2f ms, λW = %.2f, %d samples, utilisation %.2f, rejected %d",
				ll.MeanInSystem, ll.ArrivalRate, ll.MeanTimeInSystemMS, ll.Predicted, len(pool.Depth), pool.Utilization, pool.Rejected)
			// A loaded machine delays the ticker: a few dozen samples still
			// make a mean; the time weighting makes up for uneven gaps.
			if len(pool.Depth) < 50 {
				t.Fatalf("%d depth samples, want at least 50", len(pool.Depth))
			}
			if ll.MeanInSystem < tt.minL {
				t.Errorf("L = %.2f, want at least %.1f: the pool was not loaded as the case intends", ll.MeanInSystem, tt.minL)
			}
			// Within 20%: below capacity L is about 2, and the samples, 1.7 ms
			// apart against calls of 10 ms, are correlated: some 60
			// independent ones a second, so the sampled mean's own error is
			// near 9% (one sigma). Above capacity L is large and the error small.
			if math.Abs(ll.MeanInSystem-ll.Predicted) > 0.2*ll.Predicted {
				t.Errorf("L = %.2f sampled, λW = %.1f/s × %.2f ms = %.2f; want them within 20%%",
					ll.MeanInSystem, ll.ArrivalRate, ll.MeanTimeInSystemMS, ll.Predicted)
			}
			if pool.Utilization <= 0 || pool.Utilization > 1 {
				t.Errorf("utilisation = %.3f, want in (0, 1]", pool.Utilization)
			}
			if tt.check != nil {
				tt.check(t, sr)
			}
		})
	}
}

// checkBacklogGrows: above capacity with block, the backlog and the queue
// wait grow through the run, and every call is still made.
func checkBacklogGrows(t *testing.T, sr metrics.StrategyResult) {
	t.Helper()
	pool := sr.Pool
	if pool.WhenFull != "block" || pool.Rejected != 0 || pool.Workers != 2 || pool.Queue != strategies.DefaultPoolQueue {
		t.Errorf("pool %+v, want block, 2 workers, the default queue, nothing rejected", pool)
	}
	// The backlog grows by about 100 calls a second: compare the depth
	// early in the load with the depth late in it.
	early, late := meanDepth(pool.Depth, 0.1, 0.3), meanDepth(pool.Depth, 0.7, 0.9)
	if !(late >= early+20) {
		t.Errorf("mean depth %.1f at 0.1–0.3 s and %.1f at 0.7–0.9 s, want it growing by 20 or more", early, late)
	}
	if pool.MaxQueued < 50 {
		t.Errorf("max depth %d, want a backlog of 50 or more", pool.MaxQueued)
	}
	for _, u := range sr.Upstreams {
		// A call late in the run waits behind about 100 others served two
		// at a time, 10 ms each: about 500 ms.
		if u.QueueWait == nil || u.QueueWait.P99 < 200 || u.QueueWait.P50 < 10 {
			t.Errorf("%s queue wait %+v, want p50 ≥ 10 ms and p99 ≥ 200 ms", u.Name, u.QueueWait)
		}
		if u.Statuses["200"] != u.Calls {
			t.Errorf("%s statuses %v of %d calls, want every call answered 200", u.Name, u.Statuses, u.Calls)
		}
	}
}

// checkRejects: above capacity with reject, a full queue refuses calls,
// counted as rejected in the pool and the upstreams alike, and the queue
// wait stays bounded by the queue's length.
func checkRejects(t *testing.T, sr metrics.StrategyResult) {
	t.Helper()
	pool := sr.Pool
	if pool.WhenFull != "reject" || pool.Queue != 20 {
		t.Errorf("pool %+v, want reject with a queue of 20", pool)
	}
	var rejected uint64
	for _, u := range sr.Upstreams {
		rejected += u.Statuses["rejected"]
		// Never more than 22 calls ahead, served two at a time, 10 ms each:
		// about 110 ms at worst.
		if u.QueueWait == nil || u.QueueWait.Max > 500 {
			t.Errorf("%s queue wait %+v, want it bounded by the queue (well under 500 ms)", u.Name, u.QueueWait)
		}
	}
	// About a third of the 300 calls cannot be served.
	if pool.Rejected < 50 || rejected != pool.Rejected {
		t.Errorf("pool rejected %d, upstreams counted %d rejected; want the same, 50 or more", pool.Rejected, rejected)
	}
	if sr.Outcomes.Failed == 0 {
		t.Errorf("outcomes %+v, want failed operations (rejected critical calls)", sr.Outcomes)
	}
}

// meanDepth is the mean of the samples taken between from and to seconds.
func meanDepth(samples []metrics.Sample, from, to float64) float64 {
	var sum, n float64
	for _, s := range samples {
		if s.AtS >= from && s.AtS < to {
			sum += float64(s.Value)
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / n
}

// poolResult computes Little's law from the recorder's sums and the depth
// samples, and utilisation from the pool's busy time.
func TestPoolResultArithmetic(t *testing.T) {
	t.Parallel()
	p, err := strategies.NewPooled(nopCaller{}, strategies.PoolOptions{Workers: 2, Queue: 8, WhenFull: strategies.WhenFullReject})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	rec := metrics.NewRecorder(metrics.Layout{Upstreams: []string{"a", "b"}, Failures: strategies.FailureNames})
	// Upstream a: 100 calls, 4 ms queued, 6 ms latency; b: 100 calls, no
	// wait, 10 ms latency, and 10 rejected calls of no latency.
	for range 100 {
		rec.RecordCall(metrics.CallSample{Upstream: 0, Status: 200, Attempts: 1, Latency: 6 * time.Millisecond, Queued: true, QueueWait: 4 * time.Millisecond})
		rec.RecordCall(metrics.CallSample{Upstream: 1, Status: 200, Attempts: 1, Latency: 10 * time.Millisecond, Queued: true})
	}
	for range 10 {
		rec.RecordCall(metrics.CallSample{Upstream: 1, Failure: int(strategies.FailureRejected)})
	}
	samples := []metrics.Sample{{AtS: 0.1, Value: 1}, {AtS: 0.2, Value: 3}, {AtS: 0.3, Value: 2}}
	pr := poolResult(p, samples, rec, 2*time.Second)
	want := metrics.LittlesLaw{MeanInSystem: 2, ArrivalRate: 100, MeanTimeInSystemMS: 10, Predicted: 1}
	ll := pr.LittlesLaw
	if ll.MeanInSystem != want.MeanInSystem || ll.ArrivalRate != want.ArrivalRate ||
		math.Abs(ll.MeanTimeInSystemMS-want.MeanTimeInSystemMS) > 0.02 || math.Abs(ll.Predicted-want.Predicted) > 0.002 {
		t.Errorf("LittlesLaw = %+v, want %+v (within HDR precision)", ll, want)
	}
	if pr.Workers != 2 || pr.Queue != 8 || pr.WhenFull != "reject" || pr.MaxQueued != 3 || len(pr.Depth) != 3 || pr.Utilization != 0 {
		t.Errorf("poolResult = %+v, want workers 2, queue 8, reject, max 3, 3 samples, utilisation 0 (no call made)", pr)
	}
}

// nopCaller answers at once, without I/O.
type nopCaller struct{}

func (nopCaller) Call(context.Context, uint64, *strategies.Call) strategies.CallResult {
	return strategies.CallResult{Status: 200, Attempts: 1}
}
