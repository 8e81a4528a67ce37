package draws

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	secret, body := []byte("s3cret"), []byte(`{"id":"evt_1"}`)
	now := time.Unix(1_700_000_000, 0)
	good := Sign(secret, now.Unix(), body)
	tests := []struct {
		name   string
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"good", good, body, now, nil},
		{"good among rotated", "t=1700000000,v1=" + strings.Repeat("00", 32) + "," + strings.TrimPrefix(good, "t=1700000000,"), body, now, nil},
		{"other body", good, []byte(`{"id":"evt_2"}`), now, ErrSignatureMismatch},
		{"other secret", Sign([]byte("other"), now.Unix(), body), body, now, ErrSignatureMismatch},
		{"stale", good, body, now.Add(6 * time.Minute), ErrSignatureStale},
		{"future", good, body, now.Add(-6 * time.Minute), ErrSignatureStale},
		{"empty", "", body, now, ErrSignatureMalformed},
		{"no v1", "t=1700000000", body, now, ErrSignatureMalformed},
		{"no t", "v1=" + strings.Repeat("ab", 32), body, now, ErrSignatureMalformed},
		{"short v1", "t=1700000000,v1=abcd", body, now, ErrSignatureMalformed},
		{"two t", "t=1,t=2,v1=" + strings.Repeat("ab", 32), body, now, ErrSignatureMalformed},
		{"bare word", "t=1700000000,v1", body, now, ErrSignatureMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := VerifySignature(secret, tt.header, tt.body, tt.now, 0); !errors.Is(err, tt.want) {
				t.Errorf("VerifySignature(%q) = %v, want %v", tt.header, err, tt.want)
			}
		})
	}
}

func FuzzParseSignature(f *testing.F) {
	f.Add(Sign([]byte("k"), 1, []byte("b")))
	f.Add("t=1,v1=zz")
	f.Add("t=,v1=,v0=1")
	f.Add(",,,")
	f.Fuzz(func(t *testing.T, h string) {
		s, err := ParseSignature(h)
		if err != nil {
			if !errors.Is(err, ErrSignatureMalformed) {
				t.Fatalf("ParseSignature(%q) = %v, not ErrSignatureMalformed", h, err)
			}
			return
		}
		if len(s.V1) == 0 || len(s.V1) > maxSignatures || s.T < 0 {
			t.Fatalf("ParseSignature(%q) = %+v: want 1 to %d signatures and t >= 0", h, s, maxSignatures)
		}
		for _, v := range s.V1 {
			if len(v) != 32 {
				t.Fatalf("ParseSignature(%q): a v1 of %d bytes", h, len(v))
			}
		}
	})
}
