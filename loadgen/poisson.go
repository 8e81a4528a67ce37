package loadgen

import (
	"math"
	"time"

	"github.com/fanbench/fanbench/draws"
)

// Poisson is the open model with Poisson arrivals: the gaps between
// operations are exponential, at the rate of Profile (a Constant or a
// *Ramp). Gap i is drawn from a counter-based hash of (Seed, i), so the
// schedule is a pure function of the seed: operation n is due at
// Profile.Reach(E₀ + … + Eₙ), where each Eᵢ is exponential with mean 1
// (a unit-rate Poisson process, time-changed by the profile's integral).
//
// Due keeps a cursor on the running sum, so asking for n = 0, 1, 2, …
// costs O(1) each; asking for an earlier n starts the sum again from 0,
// in the same order, and gives the same answer. Not safe for concurrent
// use: Drive calls Due from one goroutine.
type Poisson struct {
	Profile Profile
	Seed    uint64

	next uint64  // the operation whose sum is cached
	sum  float64 // E₀ + … + E_{next−1}
}

// NewPoisson returns Poisson arrivals along p, seeded.
func NewPoisson(p Profile, seed uint64) *Poisson {
	return &Poisson{Profile: p, Seed: seed}
}

// Due returns the intended start of operation n.
func (p *Poisson) Due(n uint64) (time.Duration, bool) {
	if n < p.next {
		p.next, p.sum = 0, 0
	}
	for p.next <= n {
		p.sum += ExpGap(p.Seed, p.next)
		p.next++
	}
	return p.Profile.Reach(p.sum)
}

// ExpGap is the i-th gap of a unit-rate Poisson process seeded by seed:
// −ln(u) for u uniform in (0, 1] from a SplitMix64 hash of (seed, i).
func ExpGap(seed, i uint64) float64 {
	return -math.Log(unitOpen(seed, i))
}

// unitOpen returns a number uniform in (0, 1], never 0, so its logarithm is
// finite.
func unitOpen(seed, i uint64) float64 {
	return float64(draws.SplitMix(seed^(i+1)*draws.Golden)>>11+1) * 0x1p-53
}
