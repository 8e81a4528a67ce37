package metrics

import "testing"

// A hedge is an attempt but not a retry; its own retries are.
func TestHedgesAreNotRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		sample            CallSample
		retries, attempts uint64
		hedges, won       uint64
	}{
		{"plain", CallSample{Status: 200, Attempts: 1}, 0, 1, 0, 0},
		{"retried", CallSample{Status: 200, Attempts: 3}, 2, 3, 0, 0},
		{"hedged, primary won", CallSample{Status: 200, Attempts: 2, Hedged: true}, 0, 2, 1, 0},
		{"hedged, hedge won", CallSample{Status: 200, Attempts: 2, Hedged: true, HedgeWon: true}, 0, 2, 1, 1},
		{"hedged, both retried once", CallSample{Status: 200, Attempts: 4, Hedged: true}, 2, 4, 1, 0},
	}
	for _, tt := range tests {
		r := NewRecorder(testLayout)
		r.RecordCall(tt.sample)
		u := r.Upstreams[0]
		if u.Retries != tt.retries || u.Attempts != tt.attempts || u.Hedges != tt.hedges || u.HedgesWon != tt.won {
			t.Errorf("%s: retries %d, attempts %d, hedges %d, won %d; want %d, %d, %d, %d",
				tt.name, u.Retries, u.Attempts, u.Hedges, u.HedgesWon, tt.retries, tt.attempts, tt.hedges, tt.won)
		}
	}
}
