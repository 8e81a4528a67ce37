package scenarios_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/units"
)

const loadHead = "name: t\nupstreams: {a: {mock: {latency: 1ms}}}\noperation: {calls: [{upstream: a}]}\nstrategies: [fanout]\n"

// Each load model parses into the fields the runner reads.
func TestLoadModels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		load string
		want scenarios.LoadSpec
	}{
		{"load: {rate: 200/s, arrivals: poisson, operations: 10000, warmup: 5s, max_in_flight: 10, on_cap: drop}",
			scenarios.LoadSpec{Model: "open", Rate: 200, Arrivals: "poisson", Operations: 10000, Warmup: units.Duration(5 * time.Second),
				MaxInFlight: 10, OnCap: "drop"}},
		{"load:\n  stages:\n    - {duration: 30s, target: 500/s}\n    - {duration: 1m, target: 500}\n",
			scenarios.LoadSpec{Model: "open", Arrivals: "uniform", OnCap: "wait", MaxInFlight: scenarios.DefaultMaxInFlight,
				Stages: []scenarios.LoadStage{
					{Duration: units.Duration(30 * time.Second), Target: scenarios.StageTarget{Value: 500, Rate: true}},
					{Duration: units.Duration(time.Minute), Target: scenarios.StageTarget{Value: 500}},
				}}},
		{"load: {model: closed, users: 50, think: 100ms, duration: 1m}",
			scenarios.LoadSpec{Model: "closed", Users: 50, Duration: units.Duration(time.Minute), MaxInFlight: scenarios.DefaultMaxInFlight,
				Think: &draws.Latency{Dist: "fixed", Value: units.Duration(100 * time.Millisecond)}}},
		{"load: {model: closed, users: 2, stages: [{duration: 10s, target: 20}], think: {dist: exponential, mean: 1s}}",
			scenarios.LoadSpec{Model: "closed", Users: 2, MaxInFlight: scenarios.DefaultMaxInFlight,
				Stages: []scenarios.LoadStage{{Duration: units.Duration(10 * time.Second), Target: scenarios.StageTarget{Value: 20}}},
				Think:  &draws.Latency{Dist: "exponential", Mean: units.Duration(time.Second)}}},
	}
	for _, tt := range tests {
		s, err := scenarios.Parse("t.yaml", []byte(loadHead+tt.load))
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.load, err)
			continue
		}
		if got := s.Load; !equalJSON(t, got, tt.want) {
			t.Errorf("Parse(%q).Load = %+v, want %+v", tt.load, got, tt.want)
		}
	}
}

func TestLoadLengthAndString(t *testing.T) {
	t.Parallel()
	s, err := scenarios.Parse("t.yaml", []byte(loadHead+"load: {stages: [{duration: 30s, target: 5/s}, {duration: 1m, target: 0/s}], arrivals: poisson, warmup: 5s}"))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Load.Length(); got != 90*time.Second {
		t.Errorf("Length() = %v, want 1m30s", got)
	}
	if got, want := s.Load.String(), "0/s ramping in 2 stages (poisson) for 1m30s, 5s warm-up, up to 1000 in flight"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func FuzzStageTarget(f *testing.F) {
	for _, s := range []string{"500/s", "50", "0", "1e3", "-1", "5/x", "NaN", "1/0s", " 7 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var st scenarios.StageTarget
		if err := st.UnmarshalText([]byte(s)); err != nil {
			return
		}
		text, _ := st.MarshalText()
		var back scenarios.StageTarget
		if err := back.UnmarshalText(text); err != nil || back.Rate != st.Rate || back.Value != st.Value && !(back.Value-st.Value < 1e-9*st.Value) {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, st, text, back, err)
		}
	})
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	return string(ja) == string(jb)
}

// A width sweep needs one repeated call to vary, the open model, widths
// in range, and no rate sweep or repeats beside it.
func TestWidthsValidation(t *testing.T) {
	t.Parallel()
	base := `name: w
upstreams: {leaf: {mock: {latency: 1ms}}}
operation: {calls: [{upstream: leaf, path: "/s/{{.Index}}", repeat: 10}]}
strategies: [fanout]
`
	tests := []struct {
		load, extra string
		want        string // "" for valid
	}{
		{"{rate: 10/s, duration: 1s, widths: [1, 10, 100]}", "", ""},
		{"{rate: 10/s, duration: 1s, widths: [0, 20000]}", "", "load.widths[0]: 0; allowed: 1 to 10000"},
		{"{rate: 10/s, duration: 1s, widths: [1, 2], repeats: 3}", "", "a width sweep cannot be repeated"},
		{"{model: closed, users: 2, duration: 1s, widths: [1]}", "", "it needs model: open"},
	}
	for _, tt := range tests {
		_, err := scenarios.Parse("w.yaml", []byte(base+"load: "+tt.load+"\n"+tt.extra))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("load %s: %v, want valid", tt.load, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("load %s: %v, want an error with %q", tt.load, err, tt.want)
		}
	}
	two := strings.Replace(base, `repeat: 10}]`, `repeat: 10}, {upstream: leaf, repeat: 2}]`, 1)
	if _, err := scenarios.Parse("w.yaml", []byte(two+"load: {rate: 10/s, duration: 1s, widths: [1]}\n")); err == nil ||
		!strings.Contains(err.Error(), "but 2 calls set repeat") {
		t.Errorf("two repeated calls: %v", err)
	}
}
