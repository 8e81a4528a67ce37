package units

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestByteSizeUnmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    ByteSize
		wantErr string // a fragment of the error; "" for none
	}{
		{"512B", 512, ""},
		{"4KiB", 4096, ""},
		{"1MB", 1_000_000, ""},
		{"1.5MiB", 1_572_864, ""},
		{"4096", 4096, ""},
		{"0", 0, ""},
		{"0B", 0, ""},
		{" 16 KiB ", 16 << 10, ""},
		{"1kB", 1000, ""},
		{"1KB", 1000, ""},
		{"2GiB", 2 << 30, ""},
		{"3GB", 3_000_000_000, ""},
		{"1TiB", 1 << 40, ""},
		{"1TB", 1_000_000_000_000, ""},
		{"1.1MB", 1_100_000, ""}, // exact, where float64 would give 1099999.9999
		{"0.5KiB", 512, ""},
		{".5KiB", 512, ""},
		{"010", 10, ""}, // decimal, not octal
		{"9223372036854775807", math.MaxInt64, ""},
		{"9223372036854775808", 0, "too large"},
		{"8388608TiB", 0, "too large"},
		{strings.Repeat("9", 60), 0, "too large"},
		{"0.5B", 0, "whole number"},
		{"1.0001KiB", 0, "whole number"},
		{"4kib", 0, "unknown unit"},
		{"4Kb", 0, "unknown unit"},
		{"1e3", 0, "unknown unit"},
		{"-1KiB", 0, "negative"},
		{"KiB", 0, "not a size"},
		{"", 0, "not a size"},
		{".", 0, "not a size"},
		{"1..5MiB", 0, "not a size"},
		{"lots", 0, "not a size"},
	}
	for _, tt := range tests {
		var got ByteSize
		err := got.UnmarshalText([]byte(tt.in))
		switch {
		case tt.wantErr == "" && (err != nil || got != tt.want):
			t.Errorf("ByteSize.UnmarshalText(%q) = %d, %v; want %d, nil", tt.in, got, err, tt.want)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("ByteSize.UnmarshalText(%q) = %d, %v; want an error saying %q", tt.in, got, err, tt.wantErr)
		}
	}
}

func TestByteSizeString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   ByteSize
		want string
	}{
		{0, "0B"},
		{1, "1B"},
		{1000, "1kB"},
		{1024, "1KiB"},
		{1536, "1536B"},
		{4 * KiB, "4KiB"},
		{1_000_000, "1MB"},
		{3 * MiB / 2, "1536KiB"},
		{2 * GiB, "2GiB"},
		{5 * TB, "5TB"},
		{1_500_000, "1500kB"},
		{-2048, "-2KiB"},
		{math.MaxInt64, "9223372036854775807B"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("ByteSize(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
		}
	}
}

func TestByteSizeJSON(t *testing.T) {
	t.Parallel()
	type doc struct {
		Size ByteSize `json:"size"`
	}
	var d doc
	if err := json.Unmarshal([]byte(`{"size":"1.5MiB"}`), &d); err != nil || d.Size != 1536*KiB {
		t.Fatalf(`json.Unmarshal({"size":"1.5MiB"}) = %+v, %v; want 1572864 bytes`, d, err)
	}
	out, err := json.Marshal(d)
	if err != nil || string(out) != `{"size":"1536KiB"}` {
		t.Errorf("json.Marshal(%+v) = %s, %v; want {\"size\":\"1536KiB\"}", d, out, err)
	}
}

func FuzzByteSize(f *testing.F) {
	for _, s := range []string{"512B", "4KiB", "1.5MiB", "1MB", "4096", "0.5B", "-1", "", "9223372036854775807", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var v ByteSize
		if v.UnmarshalText([]byte(s)) != nil {
			return
		}
		if v < 0 {
			t.Fatalf("ByteSize.UnmarshalText(%q) accepted %d", s, int64(v))
		}
		// What String writes must read back to the same size.
		var back ByteSize
		if err := back.UnmarshalText([]byte(v.String())); err != nil || back != v {
			t.Fatalf("ByteSize %d (from %q) wrote %q, which reads back as %d, %v", int64(v), s, v.String(), int64(back), err)
		}
	})
}
