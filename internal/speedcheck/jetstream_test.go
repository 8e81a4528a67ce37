package main

import (
	"math"
	"testing"
)

func TestParseNatsBench(t *testing.T) {
	t.Parallel()
	tests := []struct {
		out  string
		want float64
		ok   bool
	}{
		{"00:31:49 Using stream: benchstream\n\nNATS JetStream asynchronous publisher stats: 35,202 msgs/sec ~ 722 KiB/sec ~ min: 788.10us\n", 35202, true},
		{"NATS JetStream synchronous publisher stats: 8019 msgs/sec ~ 164 KiB/sec", 8019, true},
		{"stats: 1,234.5 msgs/sec", 1234.5, true},
		{"no stats here", 0, false},
		{"stats: -3 msgs/sec", 0, false},
		{"stats: many msgs/sec", 0, false},
		{"stats: NaN msgs/sec", 0, false},
		{"stats: +Inf msgs/sec", 0, false},
	}
	for _, tt := range tests {
		got, err := parseNatsBench(tt.out)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("parseNatsBench(%q) = %v, %v; want %v, ok %v", tt.out, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseGoBench(t *testing.T) {
	t.Parallel()
	tests := []struct {
		out  string
		want float64
		ok   bool
	}{
		{"goos: linux\nBenchmarkPublish/memory/sync-2         \t   20000\t     37874 ns/op\t     26304 msgs/s\t    3998 B/op\t      52 allocs/op\nPASS\n", 26304, true},
		{"BenchmarkPublish/file/async-2 50000 14770 ns/op 67695.5 msgs/s", 67695.5, true},
		{"BenchmarkPublish/file/async-2 50000 14770 ns/op", 0, false},
		{"msgs/s 12", 0, false},
		{"BenchmarkX msgs/s", 0, false},
	}
	for _, tt := range tests {
		got, err := parseGoBench(tt.out, "msgs/s")
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("parseGoBench(%q) = %v, %v; want %v, ok %v", tt.out, got, err, tt.want, tt.ok)
		}
	}
}

// The two parsers of other tools' output never panic, and what they
// accept is a positive rate.
func FuzzParseBenchOutput(f *testing.F) {
	f.Add("NATS JetStream asynchronous publisher stats: 35,202 msgs/sec ~ 722 KiB/sec")
	f.Add("BenchmarkPublish/memory/sync-2 20000 37874 ns/op 26304 msgs/s")
	f.Add("stats:  msgs/sec")
	f.Fuzz(func(t *testing.T, out string) {
		if v, err := parseNatsBench(out); err == nil && (!(v > 0) || math.IsInf(v, 0)) {
			t.Errorf("parseNatsBench(%q) = %v without an error", out, v)
		}
		if v, err := parseGoBench(out, "msgs/s"); err == nil && (!(v > 0) || math.IsInf(v, 0)) {
			t.Errorf("parseGoBench(%q) = %v without an error", out, v)
		}
	})
}
