package runner

import (
	"reflect"
	"testing"
	"time"

	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
)

// An upstream's hedge policy reaches the hedged strategy by upstream index.
func TestSpecOfCarriesHedgePolicies(t *testing.T) {
	t.Parallel()
	sc, err := scenarios.Parse("t.yaml", []byte(`name: t
upstreams:
  payment: {mock: {latency: 80ms}}
  quotes: {mock: {latency: 20ms}}
  news: {mock: {latency: 20ms}}
operation:
  calls: [{upstream: payment}, {upstream: quotes}, {upstream: news}]
strategies: [fanout, {name: hedged, hedge_delay: 30ms}]
policies:
  default: {hedge: p90}
  upstreams:
    payment: {hedge: off}
    news: {hedge: 5ms}
load: {rate: 10/s, duration: 1s}
`))
	if err != nil {
		t.Fatal(err)
	}
	got := specOf(sc, sc.Strategies[1])
	want := []strategies.UpstreamHedge{{Off: true}, {Quantile: 0.9}, {Delay: 5 * time.Millisecond}}
	if got.HedgeDelay != 30*time.Millisecond || !reflect.DeepEqual(got.HedgeUpstreams, want) {
		t.Errorf("specOf(hedged) = delay %v, upstreams %+v; want 30ms, %+v", got.HedgeDelay, got.HedgeUpstreams, want)
	}
	if fan := specOf(sc, sc.Strategies[0]); fan.HedgeUpstreams != nil {
		t.Errorf("specOf(fanout) carries hedges: %+v", fan.HedgeUpstreams)
	}
}
