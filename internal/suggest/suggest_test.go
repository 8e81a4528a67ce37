package suggest

import "testing"

func TestEditDistance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"fanout", "fanout", 0},
		{"fanuot", "fanout", 1}, // a swap is one edit
		{"upstream", "upstreams", 1},
		{"seqential", "sequential", 1},
		{"kitten", "sitting", 3},
		{"", "abc", 3},
		{"héllo", "hello", 1}, // runes, not bytes
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	t.Parallel()
	keys := []string{"name", "description", "seed", "upstreams", "operation", "strategies", "load"}
	tests := []struct{ s, want string }{
		{"upstream", "upstreams"},
		{"Name", "name"},
		{"strategy", "strategies"},
		{"opertion", "operation"},
		{"x", ""},
		{"se", ""},
		{"workers", ""},
	}
	for _, tt := range tests {
		if got := Closest(tt.s, keys); got != tt.want {
			t.Errorf("Closest(%q) = %q; want %q", tt.s, got, tt.want)
		}
	}
}
