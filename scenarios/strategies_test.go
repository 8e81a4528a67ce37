package scenarios_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/strategies"
	"github.com/fanbench/fanbench/units"
)

func TestStrategyOptionsAndDefaults(t *testing.T) {
	t.Parallel()
	s, err := scenarios.Example("checkout")
	if err != nil {
		t.Fatal(err)
	}
	want := []scenarios.Strategy{
		{Name: "sequential", Options: &strategies.SequentialOptions{StopOnCriticalFailure: true}},
		{Name: "fanout", Options: &strategies.FanoutOptions{FailFast: true}},
		{Name: "pooled", Label: "pooled-12", Options: &strategies.PoolOptions{Workers: 12, Queue: 256, WhenFull: "block"}},
		{Name: "pooled", Label: "pooled-64", Options: &strategies.PoolOptions{Workers: 64, Queue: strategies.DefaultPoolQueue, WhenFull: "block"}},
		{Name: "queued", Options: &strategies.QueueOptions{Consumers: 32, Capacity: strategies.DefaultQueueCapacity, WhenFull: "block", Drain: units.Duration(10 * time.Second)}},
		{Name: "hedged", Options: &strategies.HedgeOptions{HedgeDelay: strategies.HedgeDelay{Quantile: 0.9}}},
	}
	if !reflect.DeepEqual(s.Strategies, want) {
		t.Errorf("strategies = %s, want %s", jsonOf(t, s.Strategies), jsonOf(t, want))
	}
	if c := s.Operation.Calls[0].Compensate; c == nil || c.Upstream != "refund" || c.Method != "POST" || c.Path != "/refunds/{{.Seq}}" {
		t.Errorf("compensate = %+v, want a POST to refund with defaults filled", c)
	}
}

func TestNewStrategyDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want scenarios.Strategy
	}{
		{"sequential", scenarios.Strategy{Name: "sequential", Options: &strategies.SequentialOptions{}}},
		{"pooled", scenarios.Strategy{Name: "pooled", Options: &strategies.PoolOptions{Workers: strategies.DefaultPoolWorkers, Queue: strategies.DefaultPoolQueue, WhenFull: "block"}}},
		{"queued", scenarios.Strategy{Name: "queued", Options: &strategies.QueueOptions{Consumers: strategies.DefaultQueueConsumers,
			Capacity: strategies.DefaultQueueCapacity, WhenFull: "block", Drain: units.Duration(strategies.DefaultQueueDrain)}}},
		{"hedged", scenarios.Strategy{Name: "hedged", Options: &strategies.HedgeOptions{HedgeDelay: strategies.HedgeDelay{Quantile: 0.95}}}},
		{"no such", scenarios.Strategy{Name: "no such"}},
	}
	for _, tt := range tests {
		if got := scenarios.NewStrategy(tt.name); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("NewStrategy(%q) = %s, want %s", tt.name, jsonOf(t, got), jsonOf(t, tt.want))
		}
	}
}

// A strategy entry is recorded in a result as a file writes it: flat, the
// options beside the name.
func TestStrategyJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   scenarios.Strategy
		want string
	}{
		{scenarios.NewStrategy("sequential"), `{"name":"sequential"}`},
		{scenarios.NewStrategy("pooled"), `{"name":"pooled","workers":32,"queue":1024,"when_full":"block"}`},
		{scenarios.Strategy{Name: "fanout", Label: "ff", Options: &strategies.FanoutOptions{FailFast: true}}, `{"name":"fanout","label":"ff","fail_fast":true}`},
		{scenarios.NewStrategy("hedged"), `{"name":"hedged","hedge_delay":"p95"}`},
		{scenarios.Strategy{Name: "queued"}, `{"name":"queued"}`},
	}
	for _, tt := range tests {
		if got := jsonOf(t, tt.in); got != tt.want {
			t.Errorf("json of %+v = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHedgeDelayText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want strategies.HedgeDelay
		out  string
	}{
		{"p95", strategies.HedgeDelay{Quantile: 0.95}, "p95"},
		{"p99.9", strategies.HedgeDelay{Quantile: 0.999}, "p99.9"},
		{"50ms", strategies.HedgeDelay{Fixed: 50 * time.Millisecond}, "50ms"},
	}
	for _, tt := range tests {
		var h strategies.HedgeDelay
		if err := h.UnmarshalText([]byte(tt.in)); err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		if h != tt.want {
			t.Errorf("%q = %+v, want %+v", tt.in, h, tt.want)
		}
		if b, _ := h.MarshalText(); string(b) != tt.out {
			t.Errorf("%q marshals as %q, want %q", tt.in, b, tt.out)
		}
	}
	for _, bad := range []string{"p0", "p100", "px", "0s", "-5ms", "soon", ""} {
		var h strategies.HedgeDelay
		if err := h.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("%q: accepted as %+v, want an error", bad, h)
		}
	}
}

// FuzzHedgeDelay: whatever parses writes back to text that parses to the
// same delay.
func FuzzHedgeDelay(f *testing.F) {
	for _, s := range []string{"p95", "p99.9", "p50", "50ms", "1m30s", "p0", "p100", "p", "-1s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var h strategies.HedgeDelay
		if h.UnmarshalText([]byte(s)) != nil {
			return
		}
		if h.Quantile <= 0 && h.Fixed <= 0 || h.Quantile >= 1 {
			t.Fatalf("%q parsed to %+v: neither a quantile in (0, 1) nor a positive delay", s, h)
		}
		text, err := h.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back strategies.HedgeDelay
		if err := back.UnmarshalText(text); err != nil || back != h {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, h, text, back, err)
		}
	})
}
