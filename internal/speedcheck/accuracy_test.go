package main

import "testing"

func TestNoWorse(t *testing.T) {
	tests := []struct {
		a, b []float64
		want int
	}{
		{[]float64{1, 2, 3}, []float64{1, 1, 4}, 2}, // ties count as no worse
		{[]float64{5, 5}, []float64{1, 1}, 0},
		{[]float64{1, 1, 1}, []float64{2}, 1}, // a round vegeta missed is not counted
		{nil, []float64{1}, 0},
	}
	for _, tt := range tests {
		if got := noWorse(tt.a, tt.b); got != tt.want {
			t.Errorf("noWorse(%v, %v) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestMedianKeepsRoundOrder(t *testing.T) {
	xs := []float64{3, 1, 2, 10}
	if got := median(xs); got != 2.5 {
		t.Errorf("median = %v, want 2.5", got)
	}
	if xs[0] != 3 || xs[3] != 10 {
		t.Errorf("median reordered its input to %v; the rounds' order is read after it", xs)
	}
}
