package otelexport

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/runner"
)

func liveCounts(t *testing.T, values []time.Duration) (*metrics.Live, *metrics.Recorder) {
	t.Helper()
	l := metrics.NewLive()
	r := metrics.NewRecorder(metrics.Layout{Upstreams: []string{"a"}, Live: l})
	for _, v := range values {
		r.RecordOperation(metrics.OutcomeOK, v, v, 0, 0)
	}
	return l, r
}

// The exponential histogram is the HDR histogram re-bucketed: the same
// count, a sum within the HDR's precision, its quantiles within half a
// bucket of the HDR's, at the finest scale that fits.
func TestExpPointRebucketsTheHDR(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(4, 2))
	for _, c := range []struct {
		name      string
		lo, hi    float64 // log-uniform between, in ms
		wantScale int32
	}{{"one octave", 100, 199, 8}, {"10 octaves", 1, 1000, 5}, {"20 octaves", 0.01, 10_000, 4}} {
		var values []time.Duration
		var sum float64
		for range 20_000 {
			ms := c.lo * math.Pow(c.hi/c.lo, rng.Float64())
			values = append(values, time.Duration(ms*float64(time.Millisecond)))
			sum += ms / 1000
		}
		live, rec := liveCounts(t, values)
		p := expPoint(live.Read().Latency)
		if p.Count != uint64(len(values)) || p.Scale != c.wantScale || len(p.PositiveBucket.Counts) > maxBuckets {
			t.Errorf("%s: count %d, scale %d with %d buckets; want %d values at scale %d", c.name, p.Count, p.Scale, len(p.PositiveBucket.Counts), len(values), c.wantScale)
		}
		if math.Abs(p.Sum-sum) > 0.001*sum {
			t.Errorf("%s: sum %.3f s, want %.3f s within 0.1%%", c.name, p.Sum, sum)
		}
		halfBucket := math.Exp2(math.Ldexp(0.5, -int(p.Scale))) - 1
		for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
			got := Quantile(p, q)
			want := rec.Latency.Quantile(q * 100).Seconds()
			if rel := math.Abs(got-want) / want; rel > halfBucket+0.001 {
				t.Errorf("%s: p%v %.6f s, HDR %.6f s: %.2f%% apart, over half a bucket (%.2f%%)", c.name, q*100, got, want, rel*100, halfBucket*100)
			}
		}
	}
	if p := expPoint(metrics.NewLive().Read().Latency); p.Count != 0 || len(p.PositiveBucket.Counts) != 0 {
		t.Errorf("an empty histogram exports %d values", p.Count)
	}
}

// With delta temporality each collection holds what was counted since the
// previous one.
func TestProduceDeltas(t *testing.T) {
	t.Parallel()
	b := &bridge{delta: true, last: map[string]*metrics.Counts{}, lastAt: map[string]time.Time{}}
	live, rec := liveCounts(t, []time.Duration{time.Millisecond, 2 * time.Millisecond})
	start := time.Now()
	b.Export(runner.LiveSnapshot{Strategy: "fanout", Started: start, At: start.Add(time.Second), Counts: live.Read()})
	count := func() uint64 {
		sms, err := b.Produce(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range sms[0].Metrics {
			if m.Name == nameDuration {
				return m.Data.(metricdata.ExponentialHistogram[float64]).DataPoints[0].Count
			}
		}
		return 0
	}
	if n := count(); n != 2 {
		t.Errorf("first collection: %d values, want 2", n)
	}
	rec.RecordOperation(metrics.OutcomeOK, time.Millisecond, time.Millisecond, 0, 0)
	b.Export(runner.LiveSnapshot{Strategy: "fanout", Started: start, At: start.Add(2 * time.Second), Counts: live.Read()})
	if n := count(); n != 1 {
		t.Errorf("second collection: %d values, want the 1 since the first", n)
	}
}
