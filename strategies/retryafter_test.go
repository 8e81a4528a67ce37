package strategies

import (
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 10, 21, 7, 28, 0, 0, time.UTC)
	at := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	tests := []struct {
		name, value, date string
		want              time.Duration
	}{
		{"seconds", "120", "", 120 * time.Second},
		{"zero seconds", "0", "", 0},
		{"seconds ignore Date", "3", at(-time.Hour), 3 * time.Second},
		{"http-date future", at(5 * time.Second), "", 5 * time.Second},
		{"http-date past", at(-5 * time.Second), "", 0},
		{"http-date relative to Date", at(5 * time.Second), at(3 * time.Second), 2 * time.Second},
		{"http-date with skewed client clock", at(time.Hour + 2*time.Second), at(time.Hour), 2 * time.Second},
		{"http-date past Date", at(time.Second), at(2 * time.Second), 0},
		{"bad Date falls back to now", at(4 * time.Second), "yesterday", 4 * time.Second},
		{"rfc850 date", now.Add(10 * time.Second).Format(time.RFC850), "", 10 * time.Second},
		{"asctime date", now.Add(10 * time.Second).Format(time.ANSIC), "", 10 * time.Second},
		{"empty", "", "", 0},
		{"garbage", "soon", "", 0},
		{"negative", "-5", "", 0},
		{"fraction", "1.5", "", 0},
		{"spaces", " 5", "", 0},
		{"huge", "99999999999999999999999999", "", time.Duration(maxRetryAfterSeconds) * time.Second},
	}
	for _, tt := range tests {
		if got := ParseRetryAfter(tt.value, tt.date, now); got != tt.want {
			t.Errorf("%s: ParseRetryAfter(%q, %q, %v) = %v, want %v", tt.name, tt.value, tt.date, now, got, tt.want)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "120", "-1", "Wed, 21 Oct 2015 07:28:00 GMT", "x", "99999999999999999999"} {
		f.Add(s, "Wed, 21 Oct 2015 07:27:00 GMT")
	}
	now := time.Date(2015, 10, 21, 7, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, value, date string) {
		if got := ParseRetryAfter(value, date, now); got < 0 {
			t.Errorf("ParseRetryAfter(%q, %q) = %v, negative", value, date, got)
		}
	})
}
