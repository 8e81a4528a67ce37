package httpsyntax

import "testing"

func TestHasToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		list, tok string
		want      bool
	}{
		{"close", "close", true},
		{"Keep-Alive, CLOSE", "close", true},
		{" keep-alive ,\tclose\t", "close", true},
		{"closed", "close", false},
		{"", "close", false},
		{",,", "close", false},
		{"upgrade, keep-alive", "close", false},
	}
	for _, tt := range tests {
		if got := HasToken([]byte(tt.list), tt.tok); got != tt.want {
			t.Errorf("HasToken(%q, %q) = %v, want %v", tt.list, tt.tok, got, tt.want)
		}
	}
}

func TestParseLength(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"0123", 123, true},
		{"999999999999999999", 999999999999999999, true},
		{"1000000000000000000", 0, false}, // 19 digits: refused, not overflowed
		{"", 0, false},
		{"+1", 0, false},
		{"1 ", 0, false},
		{"0x10", 0, false},
	}
	for _, tt := range tests {
		if got, ok := ParseLength([]byte(tt.in)); got != tt.want || ok != tt.ok {
			t.Errorf("ParseLength(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTokensTextAndTrim(t *testing.T) {
	t.Parallel()
	for _, c := range []byte("abzAZ09!#$%&'*+-.^_`|~") {
		if !IsToken(c) {
			t.Errorf("IsToken(%q) = false", c)
		}
	}
	for _, c := range []byte(" \t\"(),/:;<=>?@[\\]{}\x00\x7f\x80") {
		if IsToken(c) {
			t.Errorf("IsToken(%q) = true", c)
		}
	}
	if !ValidText([]byte("a b\tc\x80")) || ValidText([]byte("a\rb")) || ValidText([]byte("\x7f")) {
		t.Error("ValidText: tab, space and obs-text are text; CR and DEL are not")
	}
	if got := string(Trim([]byte(" \t x y\t "))); got != "x y" {
		t.Errorf("Trim = %q", got)
	}
	if !EqualFold([]byte("Content-LENGTH"), "content-length") || EqualFold([]byte("content-lengt"), "content-length") {
		t.Error("EqualFold")
	}
}
