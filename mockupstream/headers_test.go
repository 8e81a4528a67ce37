package mockupstream

import (
	"errors"
	"net/http"
	"strconv"
	"testing"

	"github.com/fanbench/fanbench/draws"
)

func TestParseHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		h           http.Header
		seq         uint64
		attempt     uint32
		hasSeq      bool
		ordinal     uint32
		errMentions string // the header a malformed request is blamed on
	}{
		{"none", http.Header{}, 0, 0, false, 0, ""},
		{"seq only", http.Header{draws.HeaderSeq: {"12"}}, 12, 0, true, 0, ""},
		{"both", http.Header{draws.HeaderSeq: {"12"}, draws.HeaderAttempt: {"2"}}, 12, 2, true, 0, ""},
		{"attempt only", http.Header{draws.HeaderAttempt: {"1"}}, 0, 1, false, 0, ""},
		{"max values", http.Header{draws.HeaderSeq: {"18446744073709551615"}, draws.HeaderAttempt: {"4294967295"}}, 1<<64 - 1, 1<<32 - 1, true, 0, ""},
		{"leading zeros", http.Header{draws.HeaderSeq: {"007"}}, 7, 0, true, 0, ""},
		{"seq not a number", http.Header{draws.HeaderSeq: {"abc"}}, 0, 0, false, 0, draws.HeaderSeq},
		{"seq empty", http.Header{draws.HeaderSeq: {""}}, 0, 0, false, 0, draws.HeaderSeq},
		{"seq negative", http.Header{draws.HeaderSeq: {"-1"}}, 0, 0, false, 0, draws.HeaderSeq},
		{"seq plus sign", http.Header{draws.HeaderSeq: {"+1"}}, 0, 0, false, 0, draws.HeaderSeq},
		{"seq hex", http.Header{draws.HeaderSeq: {"0x10"}}, 0, 0, false, 0, draws.HeaderSeq},
		{"seq overflow", http.Header{draws.HeaderSeq: {"18446744073709551616"}}, 0, 0, false, 0, draws.HeaderSeq},
		{"seq twice", http.Header{draws.HeaderSeq: {"1", "2"}}, 0, 0, false, 0, draws.HeaderSeq},
		{"attempt overflow", http.Header{draws.HeaderSeq: {"1"}, draws.HeaderAttempt: {"4294967296"}}, 0, 0, false, 0, draws.HeaderAttempt},
		{"attempt fraction", http.Header{draws.HeaderAttempt: {"1.5"}}, 0, 0, false, 0, draws.HeaderAttempt},
		{"call ordinal", http.Header{draws.HeaderSeq: {"5"}, draws.HeaderCall: {"99"}}, 5, 0, true, 99, ""},
		{"call ordinal not a number", http.Header{draws.HeaderCall: {"x"}}, 0, 0, false, 0, draws.HeaderCall},
		{"call ordinal twice", http.Header{draws.HeaderCall: {"1", "2"}}, 0, 0, false, 0, draws.HeaderCall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			seq, attempt, ordinal, hasSeq, err := parseHeaders(tt.h)
			if tt.errMentions != "" {
				he, ok := errors.AsType[*headerError](err)
				if !ok || he.Header != tt.errMentions {
					t.Fatalf("parseHeaders(%v) error = %v, want a *headerError about %s", tt.h, err, tt.errMentions)
				}
				return
			}
			if err != nil || seq != tt.seq || attempt != tt.attempt || hasSeq != tt.hasSeq || ordinal != tt.ordinal {
				t.Errorf("parseHeaders(%v) = %d, %d, %v, %v; want %d, %d, %v, nil",
					tt.h, seq, attempt, hasSeq, err, tt.seq, tt.attempt, tt.hasSeq)
			}
		})
	}
}

func FuzzParseHeaders(f *testing.F) {
	for _, s := range []string{"0", "12", "-1", "", "18446744073709551616", "4294967296", "1e3", " 7", "٣"} {
		f.Add(s, s, true, true)
	}
	f.Fuzz(func(t *testing.T, seqText, attemptText string, withSeq, withAttempt bool) {
		h := http.Header{}
		if withSeq {
			h[draws.HeaderSeq] = []string{seqText}
		}
		if withAttempt {
			h[draws.HeaderAttempt] = []string{attemptText}
		}
		seq, attempt, _, hasSeq, err := parseHeaders(h)
		if err != nil {
			if _, ok := errors.AsType[*headerError](err); !ok {
				t.Fatalf("parseHeaders(%v) error = %#v, want a *headerError", h, err)
			}
			return
		}
		if hasSeq != withSeq {
			t.Fatalf("parseHeaders(%v) hasSeq = %v, want %v", h, hasSeq, withSeq)
		}
		// Whatever was accepted must be the decimal number that was sent.
		if want, perr := strconv.ParseUint(seqText, 10, 64); withSeq && (perr != nil || seq != want) {
			t.Fatalf("parseHeaders(%v) seq = %d, want %d (err %v)", h, seq, want, perr)
		}
		if want, perr := strconv.ParseUint(attemptText, 10, 32); withAttempt && (perr != nil || uint64(attempt) != want) {
			t.Fatalf("parseHeaders(%v) attempt = %d, want %d (err %v)", h, attempt, want, perr)
		}
	})
}
