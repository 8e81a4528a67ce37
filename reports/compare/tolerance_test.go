package compare

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseTolerances(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Tolerances
		wantErr []string // fragments of the error
	}{
		{"", Tolerances{}, nil},
		{"p99=10%,error_rate=0.5pp,throughput=5%", Tolerances{"p99": {Value: 10}, "error_rate": {Value: 0.5, Points: true}, "throughput": {Value: 5}}, nil},
		{" p50 = 2.5% , ", Tolerances{"p50": {Value: 2.5}}, nil},
		{"p999=20%", Tolerances{"p99.9": {Value: 20}}, nil},
		{"p99.9=0%,partial_rate=0pp", Tolerances{"p99.9": {Value: 0}, "partial_rate": {Value: 0, Points: true}}, nil},
		{"p98=10%", nil, []string{`"p98=10%"`, "unknown metric", "p50, p90, p99"}},
		{"p99", nil, []string{`"p99"`, "METRIC=VALUE"}},
		{"=10%", nil, []string{"METRIC=VALUE"}},
		{"p99=10", nil, []string{"no unit", "p99=10%"}},
		{"p99=0.5pp", nil, []string{"relative tolerance in percent"}},
		{"error_rate=1%", nil, []string{"is a rate", "error_rate=0.5pp"}},
		{"p99=-1%", nil, []string{"not a number from 0 up"}},
		{"p99=NaN%", nil, []string{"not a number"}},
		{"p99=Inf%", nil, []string{"not a number"}},
		{"p99=ten%", nil, []string{`"ten"`}},
		{"error_rate=101pp", nil, []string{"more than 100"}},
		{"p99=10%,p99=20%", nil, []string{"given twice"}},
	}
	for _, tt := range tests {
		got, err := ParseTolerances(tt.in)
		if tt.wantErr != nil {
			if err == nil || !errors.Is(err, ErrBadTolerance) {
				t.Errorf("ParseTolerances(%q) = %v, %v; want an ErrBadTolerance", tt.in, got, err)
				continue
			}
			for _, f := range tt.wantErr {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("ParseTolerances(%q) error %q lacks %q", tt.in, err, f)
				}
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseTolerances(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestDefaultTolerancesRoundTrip(t *testing.T) {
	t.Parallel()
	d := DefaultTolerances()
	if len(d) != len(allMetrics) {
		t.Errorf("DefaultTolerances has %d entries, want one per metric (%d)", len(d), len(allMetrics))
	}
	back, err := ParseTolerances(d.String())
	if err != nil || !reflect.DeepEqual(back, d) {
		t.Errorf("ParseTolerances(%q) = %v, %v; want the defaults back", d.String(), back, err)
	}
	over := d.With(Tolerances{"p99": {Value: 3}})
	if over["p99"].Value != 3 || d["p99"].Value != 10 || over["p50"] != d["p50"] {
		t.Errorf("With: got %v from %v", over, d)
	}
}

// FuzzParseTolerances: any input gives tolerances or an ErrBadTolerance,
// never a panic; what it reads, written back, reads the same.
func FuzzParseTolerances(f *testing.F) {
	for _, s := range []string{"p99=10%,error_rate=0.5pp,throughput=5%", "p999=1e2%", "=", ",,", "p50=%", "error_rate=pp", "p99=10%%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ParseTolerances(s)
		if err != nil {
			if !errors.Is(err, ErrBadTolerance) {
				t.Fatalf("ParseTolerances(%q) error %v is not an ErrBadTolerance", s, err)
			}
			return
		}
		for k, tol := range ts {
			m, ok := metricByKey(k)
			if !ok || m.key != k || tol.Points != m.rate || tol.Value < 0 {
				t.Fatalf("ParseTolerances(%q) gave %s=%v", s, k, tol)
			}
		}
		back, err := ParseTolerances(ts.String())
		if err != nil || !reflect.DeepEqual(back, ts) {
			t.Fatalf("ParseTolerances(%q) = %v; its String %q reads back as %v, %v", s, ts, ts.String(), back, err)
		}
	})
}
