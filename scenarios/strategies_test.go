package scenarios_test

import (
	"testing"
	"time"

	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/units"
)

func TestStrategyOptionsAndDefaults(t *testing.T) {
	t.Parallel()
	s, err := scenarios.Example("checkout")
	if err != nil {
		t.Fatal(err)
	}
	want := []scenarios.Strategy{
		{Name: "sequential", StopOnCriticalFailure: true},
		{Name: "fanout", FailFast: true},
		{Name: "pooled", Label: "pooled-12", Workers: 12, Queue: 256, WhenFull: "block"},
		{Name: "pooled", Label: "pooled-64", Workers: 64, Queue: scenarios.DefaultPoolQueue, WhenFull: "block"},
		{Name: "queued", Consumers: 32, Capacity: scenarios.DefaultCapacity, WhenFull: "block", Drain: units.Duration(10 * time.Second)},
		{Name: "hedged", HedgeDelay: &scenarios.HedgeDelay{Quantile: 0.9}},
	}
	if len(s.Strategies) != len(want) {
		t.Fatalf("%d strategies, want %d", len(s.Strategies), len(want))
	}
	for i, got := range s.Strategies {
		w := want[i]
		gh, wh := got.HedgeDelay, w.HedgeDelay
		got.HedgeDelay, w.HedgeDelay = nil, nil
		if got != w || (gh == nil) != (wh == nil) || (gh != nil && *gh != *wh) {
			t.Errorf("strategies[%d] = %+v (hedge %+v), want %+v (hedge %+v)", i, got, gh, w, wh)
		}
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
		{"sequential", scenarios.Strategy{Name: "sequential"}},
		{"pooled", scenarios.Strategy{Name: "pooled", Workers: scenarios.DefaultWorkers, Queue: scenarios.DefaultPoolQueue, WhenFull: "block"}},
		{"queued", scenarios.Strategy{Name: "queued", Consumers: scenarios.DefaultConsumers, Capacity: scenarios.DefaultCapacity,
			WhenFull: "block", Drain: units.Duration(scenarios.DefaultDrain)}},
	}
	for _, tt := range tests {
		if got := scenarios.NewStrategy(tt.name); got != tt.want {
			t.Errorf("NewStrategy(%q) = %+v, want %+v", tt.name, got, tt.want)
		}
	}
	if h := scenarios.NewStrategy("hedged").HedgeDelay; h == nil || h.Quantile != 0.95 || h.Fixed != 0 {
		t.Errorf("NewStrategy(hedged).HedgeDelay = %+v, want p95", h)
	}
}

func TestHedgeDelayText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want scenarios.HedgeDelay
		out  string
	}{
		{"p95", scenarios.HedgeDelay{Quantile: 0.95}, "p95"},
		{"p99.9", scenarios.HedgeDelay{Quantile: 0.999}, "p99.9"},
		{"50ms", scenarios.HedgeDelay{Fixed: 50 * time.Millisecond}, "50ms"},
	}
	for _, tt := range tests {
		var h scenarios.HedgeDelay
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
		var h scenarios.HedgeDelay
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
		var h scenarios.HedgeDelay
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
		var back scenarios.HedgeDelay
		if err := back.UnmarshalText(text); err != nil || back != h {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, h, text, back, err)
		}
	})
}
