package units

import (
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"250ms", 250 * time.Millisecond, false},
		{" 1m30s ", 90 * time.Second, false},
		{"0s", 0, false},
		{"200", 0, true},
		{"-1s", 0, true},
		{"soon", 0, true},
	}
	for _, tt := range tests {
		var d Duration
		err := d.UnmarshalText([]byte(tt.in))
		if (err != nil) != tt.wantErr {
			t.Errorf("Duration.UnmarshalText(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && d.D() != tt.want {
			t.Errorf("Duration.UnmarshalText(%q) = %v, want %v", tt.in, d.D(), tt.want)
		}
	}
}

func TestRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{"500/s", 500, false},
		{"20", 20, false},
		{"30/m", 0.5, false},
		{"30/min", 0.5, false},
		{"3600/h", 1, false},
		{"2/ms", 2000, false},
		{"10/10s", 1, false},
		{"0/s", 0, false},
		{"fast", 0, true},
		{"5/fortnight", 0, true},
		{"-3/s", 0, true},
		{"NaN/s", 0, true},
	}
	for _, tt := range tests {
		var r Rate
		err := r.UnmarshalText([]byte(tt.in))
		if (err != nil) != tt.wantErr {
			t.Errorf("Rate.UnmarshalText(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && r.PerSecond() != tt.want {
			t.Errorf("Rate.UnmarshalText(%q) = %v/s, want %v/s", tt.in, r.PerSecond(), tt.want)
		}
	}
	if got := Rate(20).Interval(); got != 50*time.Millisecond {
		t.Errorf("Rate(20).Interval() = %v, want 50ms", got)
	}
}

func TestFraction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{"1%", 0.01, false},
		{"0.5 %", 0.005, false},
		{"0.25", 0.25, false},
		{"100%", 1, false},
		{"0", 0, false},
		{"101%", 0, true},
		{"2", 0, true},
		{"-1%", 0, true},
		{"lots", 0, true},
	}
	for _, tt := range tests {
		var f Fraction
		err := f.UnmarshalText([]byte(tt.in))
		if (err != nil) != tt.wantErr {
			t.Errorf("Fraction.UnmarshalText(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && f.Float() != tt.want {
			t.Errorf("Fraction.UnmarshalText(%q) = %v, want %v", tt.in, f.Float(), tt.want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"250ms", "1m30s"} {
		var d Duration
		if err := d.UnmarshalText([]byte(s)); err != nil {
			t.Fatal(err)
		}
		if b, _ := d.MarshalText(); string(b) != s {
			t.Errorf("Duration round trip of %q gave %q", s, b)
		}
	}
	for _, s := range []string{"500/s", "0.5/s"} {
		var r Rate
		if err := r.UnmarshalText([]byte(s)); err != nil {
			t.Fatal(err)
		}
		if b, _ := r.MarshalText(); string(b) != s {
			t.Errorf("Rate round trip of %q gave %q", s, b)
		}
	}
	for _, s := range []string{"1%", "2.5%"} {
		var f Fraction
		if err := f.UnmarshalText([]byte(s)); err != nil {
			t.Fatal(err)
		}
		if b, _ := f.MarshalText(); string(b) != s {
			t.Errorf("Fraction round trip of %q gave %q", s, b)
		}
	}
}

func FuzzRate(f *testing.F) {
	for _, s := range []string{"500/s", "30/m", "1/10s", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var r Rate
		if r.UnmarshalText([]byte(s)) == nil && (r < 0 || r != r) {
			t.Errorf("Rate.UnmarshalText(%q) accepted %v", s, float64(r))
		}
	})
}

func FuzzFraction(f *testing.F) {
	for _, s := range []string{"1%", "0.5", "100%", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var v Fraction
		if v.UnmarshalText([]byte(s)) == nil && (v < 0 || v > 1) {
			t.Errorf("Fraction.UnmarshalText(%q) accepted %v", s, float64(v))
		}
	})
}

func FuzzDuration(f *testing.F) {
	for _, s := range []string{"250ms", "1h", "-1s", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var d Duration
		if d.UnmarshalText([]byte(s)) == nil && d < 0 {
			t.Errorf("Duration.UnmarshalText(%q) accepted %v", s, d)
		}
	})
}

// TestDurationMessages: a duration too long to hold says so, rather than
// asking for a unit it has.
func TestDurationMessages(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"3000000h": `"3000000h" is too long; the longest duration is 2562047h47m16s (about 292 years)`,
		"1e400s":   `"1e400s" is not a duration; write it with a unit, like 250ms, 2s or 1m30s`,
		"200":      `"200" is not a duration; write it with a unit, like 250ms, 2s or 1m30s`,
	} {
		var d Duration
		if err := d.UnmarshalText([]byte(in)); err == nil || err.Error() != want {
			t.Errorf("Duration.UnmarshalText(%q) = %v, want %s", in, err, want)
		}
	}
}
