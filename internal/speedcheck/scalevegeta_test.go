package main

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestVegetaLags(t *testing.T) {
	const interval = time.Millisecond
	tests := []struct {
		name     string
		csv      string
		wantLags []time.Duration
		wantSent int
		wantErr  string
	}{
		{
			name: "lag from the first request's time, warm-up left out, out of order",
			// seq 2 begun 2.5 ms after seq 0 (0.5 ms late), seq 3 at 5 ms (2 ms late),
			// seq 1 within the 2 ms warm-up.
			csv: "1002500000,200,5,0,39,,e30K,,2,GET,http://a/,\n" +
				"1000000000,200,5,0,39,,e30K,,0,GET,http://a/,\n" +
				"1005000000,200,5,0,39,,e30K,,3,GET,http://b/,\n" +
				"1001000000,200,5,0,39,,e30K,,1,GET,http://b/,\n",
			wantLags: []time.Duration{500 * time.Microsecond, 2 * time.Millisecond},
			wantSent: 4,
		},
		{name: "nothing sent", csv: ""},
		{name: "too few fields", csv: "1,200,5\n", wantErr: "line 1: 3 fields"},
		{name: "not a number", csv: "x,200,5,0,39,,e30K,,0,GET,http://a/,\n", wantErr: "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lags, sent, err := vegetaLags(strings.NewReader(tt.csv), interval, 2*interval)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || sent != tt.wantSent || !slices.Equal(lags, tt.wantLags) {
				t.Errorf("= %v, %d, %v; want %v, %d", lags, sent, err, tt.wantLags, tt.wantSent)
			}
		})
	}
}

// vegetaLags never panics, and returns its lags sorted.
func FuzzVegetaLags(f *testing.F) {
	f.Add("1000000000,200,5,0,39,,e30K,,0,GET,http://a/,\n1002500000,200,5,0,39,,e30K,,2,GET,http://a/,\n")
	f.Add("1,2,3,4,5,6,7,8,-9223372036854775808\n")
	f.Fuzz(func(t *testing.T, s string) {
		lags, _, err := vegetaLags(strings.NewReader(s), time.Millisecond, 0)
		if err == nil && !slices.IsSorted(lags) {
			t.Errorf("lags not sorted: %v", lags)
		}
	})
}
