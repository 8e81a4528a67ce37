package reports

import (
	"math"

	"github.com/fanbench/fanbench/metrics"
)

// This file lends the verdict's rules to the other renderers (the HTML
// report's cards), so that every output crowns by the same rules: how a
// strategy is judged, and when two figures are level.

// Judge returns s as the verdict weighs it: a strategy that answers its
// caller before its work is done by what it delivers (see Judged).
func Judge(s metrics.StrategyResult) Judged { return judge(s) }

// LevelP50 reports whether a and b are level at p50 by the verdict's
// rules: a U test over their rounds when both have enough, else within
// the tolerance (5%).
func LevelP50(a, b Judged) bool { return sameP50(a, b) }

// LevelP99 is LevelP50 at p99 (10% without rounds).
func LevelP99(a, b Judged) bool { return sameP99(a, b) }

// LevelErrorRate reports whether two error rates (shares, 0–1) are
// within the verdict's tolerance of half a percentage point.
func LevelErrorRate(a, b float64) bool { return math.Abs(a-b) <= tieRate }

// LevelRequests reports whether two figures of requests per operation are
// within the verdict's tolerance (5%).
func LevelRequests(a, b float64) bool { return sameRel(a, b, tieRequests) }

// LevelCPU reports whether two figures of CPU per 1,000 operations are
// within the verdict's tolerance (25%).
func LevelCPU(a, b float64) bool { return sameRel(a, b, tieCPU) }

// LevelRelative reports whether a and b are within tol (0.05 is 5%) of
// each other, relative to the larger: for the figures the verdict does not
// weigh, with the baseline comparison's tolerance of each.
func LevelRelative(a, b, tol float64) bool { return sameRel(a, b, tol) }
