package runner

import (
	"slices"
	"testing"
	"time"

	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
)

// The tail-at-scale example has the shape the paper describes, computed
// from the very draws its mock makes (exact and independent of the
// machine): waiting for 95% of 100 shards cuts p99 to at most 0.6× of
// waiting for all; hedging at the shards' p95 cuts p99.9 by 10× or more for
// about 5% more requests when slowness is independent, and by less than 2×
// when it is shared by the shards of an operation.
func TestTailAtScaleShape(t *testing.T) {
	t.Parallel()
	sc, err := scenarios.Example("tail-at-scale")
	if err != nil {
		t.Fatal(err)
	}
	const ops, width = 20_000, 100
	shape := func(correlated bool) (all, most, hedged []time.Duration, extra float64) {
		cfg := *sc.Upstreams[0].Mock
		cfg.Correlated = correlated
		b, err := mockupstream.Compile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		d := mockupstream.NewDrawer(sc.Seed, "shard", b)
		delay, err := cfg.Latency.Quantile(0.95)
		if err != nil {
			t.Fatal(err)
		}
		leaves, hedges := make([]time.Duration, width), 0
		for seq := range uint64(ops) {
			var slowest, slowestHedged time.Duration
			for i := range leaves {
				l := d.DrawCall(0, seq, uint32(i), 0).Latency
				leaves[i] = l
				slowest = max(slowest, l)
				if l > delay { // the hedge goes out, and the first answer wins
					hedges++
					l = min(l, delay+d.DrawCall(0, seq, uint32(i), strategies.HedgeFirstAttempt).Latency)
				}
				slowestHedged = max(slowestHedged, l)
			}
			slices.Sort(leaves)
			all, most, hedged = append(all, slowest), append(most, leaves[94]), append(hedged, slowestHedged)
		}
		return all, most, hedged, float64(hedges) / (ops * width)
	}
	q := func(ds []time.Duration, p float64) time.Duration {
		s := slices.Clone(ds)
		slices.Sort(s)
		return s[int(p*float64(len(s)-1))]
	}
	all, most, hedged, extra := shape(false)
	t.Logf("independent: p99 all %v, 95%% %v; p99.9 all %v, hedged %v; extra requests %.2f%%",
		q(all, 0.99), q(most, 0.99), q(all, 0.999), q(hedged, 0.999), extra*100)
	if r := float64(q(most, 0.99)) / float64(q(all, 0.99)); r > 0.6 {
		t.Errorf("waiting for 95%%: p99 %.2f× of waiting for all, want ≤ 0.6×", r)
	}
	if r := float64(q(all, 0.999)) / float64(q(hedged, 0.999)); r < 10 {
		t.Errorf("hedged at p95: p99.9 improved %.1f×, want ≥ 10×", r)
	}
	if extra > 0.055 {
		t.Errorf("hedged at p95: %.2f%% more requests, want about 5%%", extra*100)
	}
	all, _, hedged, _ = shape(true)
	t.Logf("correlated: p99.9 all %v, hedged %v", q(all, 0.999), q(hedged, 0.999))
	if r := float64(q(all, 0.999)) / float64(q(hedged, 0.999)); r >= 2 {
		t.Errorf("correlated slowness: hedging improved p99.9 %.1f×, want under 2× (the hedge is as slow)", r)
	}
}
