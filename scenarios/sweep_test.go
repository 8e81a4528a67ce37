package scenarios_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/scenarios"
)

func TestParseSLO(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want scenarios.SLO
	}{
		{"p99 < 300ms", scenarios.SLO{Percentile: 99, Below: 300 * time.Millisecond}},
		{"p50<2s", scenarios.SLO{Percentile: 50, Below: 2 * time.Second}},
		{"  P99.9 <  1.5s ", scenarios.SLO{Percentile: 99.9, Below: 1500 * time.Millisecond}},
		{"p90 < 250ms and error_rate < 1%", scenarios.SLO{Percentile: 90, Below: 250 * time.Millisecond, MaxErrorRate: 0.01, HasErrorRate: true}},
		{"p95 < 1s AND error_rate < 0.005", scenarios.SLO{Percentile: 95, Below: time.Second, MaxErrorRate: 0.005, HasErrorRate: true}},
	}
	for _, tt := range tests {
		got, err := scenarios.ParseSLO(tt.text)
		if err != nil || got != tt.want {
			t.Errorf("ParseSLO(%q) = %+v, %v; want %+v", tt.text, got, err, tt.want)
		}
	}
}

// Each mistake is placed at the column of the token at fault.
func TestParseSLOErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text   string
		column int
		msg    string
	}{
		{"", 1, "empty"},
		{"p98 < 300ms", 1, `"p98" is not a latency percentile`},
		{"p99 300ms", 5, "want < after p99"},
		{"p99 <= 300ms", 5, "want < after p99"},
		{"p99 <", 6, "want a duration"},
		{"p99 < 300", 7, `"300" is not a duration`},
		{"p99 < 0s", 7, "above 0"},
		{"p99 < 300ms or error_rate < 1%", 13, `unexpected "or"`},
		{"p99 < 300ms and errors < 1%", 17, "want error_rate"},
		{"p99 < 300ms and error_rate 1%", 28, "want < after error_rate"},
		{"p99 < 300ms and error_rate <", 29, "want a share"},
		{"p99 < 300ms and error_rate < 150%", 30, `"150%" is not a share`},
		{"p99 < 300ms and error_rate < 1% !", 33, `unexpected "!"`},
	}
	for _, tt := range tests {
		_, err := scenarios.ParseSLO(tt.text)
		var se *scenarios.SLOError
		if !errors.As(err, &se) || se.Column != tt.column || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("ParseSLO(%q) = %v; want an error at column %d saying %q", tt.text, err, tt.column, tt.msg)
		}
	}
}

func TestSLOMet(t *testing.T) {
	t.Parallel()
	slo, err := scenarios.ParseSLO("p99 < 300ms and error_rate < 1%")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		latency   time.Duration
		errorRate float64
		want      bool
		why       string
	}{
		{299 * time.Millisecond, 0.005, true, ""},
		{300 * time.Millisecond, 0, false, "p99 300ms ≥ 300ms"},
		{10 * time.Millisecond, 0.01, false, "error rate 1.00% ≥ 1%"},
	}
	for _, tt := range tests {
		if got, why := slo.Met(tt.latency, tt.errorRate); got != tt.want || why != tt.why {
			t.Errorf("Met(%v, %v) = %v, %q; want %v, %q", tt.latency, tt.errorRate, got, why, tt.want, tt.why)
		}
	}
}

func TestSweepParsesAndSteps(t *testing.T) {
	t.Parallel()
	s, err := scenarios.Parse("t.yaml", []byte(loadHead+
		"load: {max_in_flight: 50, warmup: 1s, sweep: {from: 100/s, to: 500/s, step: 100/s, step_duration: 10s, slo: \"p99 < 300ms\"}}"))
	if err != nil {
		t.Fatal(err)
	}
	sw := s.Load.Sweep
	if sw == nil || sw.SLO.Percentile != 99 || sw.StepDuration.D() != 10*time.Second {
		t.Fatalf("Load.Sweep = %+v", sw)
	}
	if got, want := sw.Rates(), []float64{100, 200, 300, 400, 500}; !equalJSON(t, got, want) {
		t.Errorf("Rates() = %v, want %v", got, want)
	}
	if got, want := s.Load.String(), "sweep 100/s to 500/s by 100/s, 10s a step, SLO p99 < 300ms, 1s warm-up, up to 50 in flight"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	// Steps that do not land on to stop below it.
	sw.To = 450
	if got := sw.Rates(); len(got) != 4 || got[3] != 400 {
		t.Errorf("Rates() up to 450/s = %v, want 100 to 400", got)
	}
}

// Sweep mistakes name the field and say what to write.
func TestSweepErrors(t *testing.T) {
	t.Parallel()
	const ok = "from: 100/s, to: 500/s, step: 100/s, step_duration: 1s, slo: \"p99 < 300ms\""
	tests := []struct {
		load string
		want string
	}{
		{"{sweep: {" + ok + "}, rate: 10/s, duration: 5s}", "load.rate: the sweep sets the rate"},
		{"{sweep: {" + ok + "}, rate: 10/s, duration: 5s}", "load.duration: the sweep sets"},
		{"{model: closed, users: 3, sweep: {" + ok + "}}", "load.sweep: a sweep raises the arrival rate: it needs model: open"},
		{"{sweep: {to: 500/s, step: 100/s, step_duration: 1s, slo: \"p99 < 1s\"}}", "load.sweep.from: missing"},
		{"{sweep: {from: 500/s, to: 500/s, step: 100/s, step_duration: 1s, slo: \"p99 < 1s\"}}", "load.sweep.to: 500/s is not above from"},
		{"{sweep: {from: 1/s, to: 500/s, step: 0/s, step_duration: 1s, slo: \"p99 < 1s\"}}", "load.sweep.step: must be more than 0"},
		{"{sweep: {from: 1/s, to: 500/s, step: 1/s, step_duration: 1s, slo: \"p99 < 1s\"}}", "load.sweep.step: 1/s makes 500 steps"},
		{"{sweep: {from: 1/s, to: 5/s, step: 1/s, slo: \"p99 < 1s\"}}", "load.sweep.step_duration: missing"},
		{"{warmup: 2s, sweep: {from: 1/s, to: 5/s, step: 1/s, step_duration: 1s, slo: \"p99 < 1s\"}}", "load.warmup: the warm-up (2s) applies to every step"},
		{"{sweep: {from: 1/s, to: 5/s, step: 1/s, step_duration: 1s}}", "load.sweep.slo: missing"},
		{"{sweep: {from: 1/s, to: 5/s, step: 1/s, step_duration: 1s, slo: \"p99 < 1s and errors\"}}", "load.sweep.slo: at column 14: want error_rate"},
	}
	for _, tt := range tests {
		_, err := scenarios.Parse("t.yaml", []byte(loadHead+"load: "+tt.load))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(load: %s) = %v; want an error containing %q", tt.load, err, tt.want)
		}
	}
}

// ParseSLO never panics, and what it accepts it writes back in a form it
// reads again to the same SLO.
func FuzzParseSLO(f *testing.F) {
	for _, s := range []string{"p99 < 300ms", "p99.9<1s and error_rate<0.5%", "p50 < 1h and error_rate < 100%",
		"p99 <= 3s", "< <", "and", "p90 < 1e3ms", "p95 < 300ms and error_rate < 1e-9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		slo, err := scenarios.ParseSLO(s)
		if err != nil {
			var se *scenarios.SLOError
			if !errors.As(err, &se) || se.Column < 1 || se.Column > len(s)+1 {
				t.Fatalf("ParseSLO(%q) = %v: want an *SLOError within the text", s, err)
			}
			return
		}
		back, err := scenarios.ParseSLO(slo.String())
		if err != nil || back.Percentile != slo.Percentile || back.Below != slo.Below || back.HasErrorRate != slo.HasErrorRate ||
			back.MaxErrorRate-slo.MaxErrorRate > 1e-12 || slo.MaxErrorRate-back.MaxErrorRate > 1e-12 {
			t.Fatalf("ParseSLO(%q) = %+v → %q → %+v, %v", s, slo, slo.String(), back, err)
		}
	})
}
