package scenarios_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/scenarios"
)

func TestParseThreshold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want scenarios.Threshold
		str  string
	}{
		{"p99 < 350ms", scenarios.Threshold{Metric: "p99", Op: "<", Bound: 350}, "p99 < 350ms"},
		{"P99.9<=1.5s", scenarios.Threshold{Metric: "p99.9", Op: "<=", Bound: 1500}, "p99.9 <= 1.5s"},
		{"error_rate < 1%", scenarios.Threshold{Metric: "error_rate", Op: "<", Bound: 0.01}, "error_rate < 1%"},
		{"error_rate <= 0.5", scenarios.Threshold{Metric: "error_rate", Op: "<=", Bound: 0.5}, "error_rate <= 50%"},
		{"throughput > 500/s", scenarios.Threshold{Metric: "throughput", Op: ">", Bound: 500}, "throughput > 500/s"},
		{"throughput>=30/m", scenarios.Threshold{Metric: "throughput", Op: ">=", Bound: 0.5}, "throughput >= 0.5/s"},
		{"harness_overhead_p99 < 2ms", scenarios.Threshold{Metric: "harness_overhead_p99", Op: "<", Bound: 2}, "harness_overhead_p99 < 2ms"},
		{"amplification <= 1.5", scenarios.Threshold{Metric: "amplification", Op: "<=", Bound: 1.5}, "amplification <= 1.5"},
		{"max < 250us", scenarios.Threshold{Metric: "max", Op: "<", Bound: 0.25}, "max < 250µs"},
	}
	for _, tt := range tests {
		got, err := scenarios.ParseThreshold(tt.text)
		if err != nil || got != tt.want {
			t.Errorf("ParseThreshold(%q) = %+v, %v; want %+v", tt.text, got, err, tt.want)
			continue
		}
		if s := got.String(); s != tt.str {
			t.Errorf("ParseThreshold(%q).String() = %q, want %q", tt.text, s, tt.str)
		}
	}
}

// Each mistake is placed at the column of the token at fault, and says
// what to write.
func TestParseThresholdErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text   string
		column int
		msg    string
	}{
		{"", 1, "empty"},
		{"p98 < 1s", 1, `unknown metric "p98"; did you mean`},
		{"eror_rate < 1%", 1, `did you mean "error_rate"?`},
		{"p99", 4, "want one of < <= > >= after p99"},
		{"p99 = 1s", 5, "want one of < <= > >="},
		{"p99 <", 6, "want a bound after <, such as 350ms"},
		{"p99 < 350", 7, `"350" is not a duration`},
		{"p99 < 1%", 7, `"1%" is not a duration`},
		{"error_rate < 2", 14, `"2" is not a share`},
		{"throughput > 500", 14, `"500" is not a rate`},
		{"amplification < x", 17, `"x" is not a ratio`},
		{"p99 < 1s and error_rate < 1%", 10, `unexpected "and"; one threshold per entry`},
	}
	for _, tt := range tests {
		_, err := scenarios.ParseThreshold(tt.text)
		var se *scenarios.SLOError
		if !errors.As(err, &se) || se.Column != tt.column || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("ParseThreshold(%q) = %v; want an error at column %d saying %q", tt.text, err, tt.column, tt.msg)
		}
	}
}

func TestThresholdPasses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		op    string
		value float64
		want  bool
	}{
		{"<", 9, true}, {"<", 10, false}, {"<=", 10, true}, {"<=", 11, false},
		{">", 11, true}, {">", 10, false}, {">=", 10, true}, {">=", 9, false},
	}
	for _, tt := range tests {
		th := scenarios.Threshold{Metric: "p99", Op: tt.op, Bound: 10}
		if got := th.Passes(tt.value); got != tt.want {
			t.Errorf("%v Passes(%v) = %v, want %v", th, tt.value, got, tt.want)
		}
	}
}

const thresholdHead = "name: t\nupstreams: {a: {mock: {latency: 1ms}}}\noperation: {calls: [{upstream: a}]}\n" +
	"strategies: [sequential, {name: pooled, label: pooled-4, workers: 4}]\nload: {rate: 10/s, duration: 1s}\n"

func TestThresholdsParse(t *testing.T) {
	t.Parallel()
	s, err := scenarios.Parse("t.yaml", []byte(thresholdHead+
		"thresholds:\n  all: [\"p99 < 350ms\", \"error_rate < 1%\"]\n  pooled: [\"throughput > 5/s\"]\n  pooled-4: [\"max <= 1s\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	keys, list := s.Thresholds.For(s.Strategies[1])
	var got []string
	for i, th := range list {
		got = append(got, keys[i]+": "+th.String())
	}
	want := "all: p99 < 350ms|all: error_rate < 1%|pooled: throughput > 5/s|pooled-4: max <= 1s"
	if strings.Join(got, "|") != want {
		t.Errorf("For(pooled-4) = %q, want %q", strings.Join(got, "|"), want)
	}
	if _, list := s.Thresholds.For(s.Strategies[0]); len(list) != 2 {
		t.Errorf("For(sequential) = %v, want the 2 of all", list)
	}
}

// Threshold mistakes in a file name the line, column and field, with a
// did-you-mean.
func TestThresholdsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		head, thresholds string
		want             []string
	}{
		{thresholdHead, "thresholds: {fanuot: [\"p99 < 1s\"]}", []string{"t.yaml:6:14: thresholds.fanuot: no strategy \"fanuot\"", "allowed: all, pooled, pooled-4, sequential"}},
		{thresholdHead, "thresholds: {al: [\"p99 < 1s\"]}", []string{"thresholds.al:", `did you mean "all"?`}},
		{thresholdHead, "thresholds:\n  all: [\"p99 < 1s\", \"p99 > fast\"]", []string{"t.yaml:7:21: thresholds.all[1]: at column 7: \"fast\" is not a duration"}},
		{thresholdHead, "thresholds: {all: [\"latency < 1s\"]}", []string{"thresholds.all[0]: at column 1: unknown metric \"latency\""}},
		{thresholdHead, "thresholds: {all: \"p99 < 1s\"}", []string{"thresholds.all: expected a list"}},
		{strings.Replace(thresholdHead, "{mock: {latency: 1ms}}", "{url: \"http://127.0.0.1:1\"}", 1), "thresholds: {all: [\"harness_overhead_p99 < 2ms\"]}",
			[]string{"thresholds.all[0]: harness_overhead_p99 is measured against the mock upstreams"}},
		{strings.Replace(thresholdHead, "load: {rate: 10/s, duration: 1s}", "load: {sweep: {from: 1/s, to: 5/s, step: 1/s, step_duration: 1s, slo: \"p99 < 1s\"}}", 1),
			"thresholds: {all: [\"p99 < 1s\"]}", []string{"thresholds: a sweep judges each step by load.sweep.slo"}},
	}
	for _, tt := range tests {
		_, err := scenarios.Parse("t.yaml", []byte(tt.head+tt.thresholds))
		for _, want := range tt.want {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Parse(%s) = %v; want an error containing %q", tt.thresholds, err, want)
			}
		}
	}
}

// ParseThreshold never panics; its errors fall within the text; what it
// accepts it writes back in a form it reads again to the same threshold.
func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"p99 < 350ms", "error_rate<1%", "throughput >= 500/s", "harness_overhead_p99.9 < 2ms",
		"amplification > 1e3", ">", "p99 <= <", "max < 1h and", "throughput > 1/10s", "mean < 0s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := scenarios.ParseThreshold(s)
		if err != nil {
			var se *scenarios.SLOError
			if !errors.As(err, &se) || se.Column < 1 || se.Column > len(s)+1 {
				t.Fatalf("ParseThreshold(%q) = %v: want an *SLOError within the text", s, err)
			}
			return
		}
		back, err := scenarios.ParseThreshold(th.String())
		if err != nil || back.Metric != th.Metric || back.Op != th.Op ||
			math.Abs(back.Bound-th.Bound) > 1e-6*math.Max(1, math.Abs(th.Bound)) {
			t.Fatalf("ParseThreshold(%q) = %+v → %q → %+v, %v", s, th, th.String(), back, err)
		}
	})
}
