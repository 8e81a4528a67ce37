package strategies

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/fanbench/fanbench/units"
)

// HedgeDelay is when a hedge is sent: after a fixed delay, or after the
// upstream's observed latency quantile (Quantile in (0, 1), Fixed 0). The
// zero HedgeDelay means the default, the observed p95.
type HedgeDelay struct {
	Fixed    time.Duration
	Quantile float64
}

// DefaultHedgeAfter is the hedge delay of the hedged strategy when a file
// sets none.
const DefaultHedgeAfter = "p95"

// UnmarshalText reads "50ms" or "p95" (also "p99", "p99.9", "p50").
func (h *HedgeDelay) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if rest, ok := strings.CutPrefix(s, "p"); ok {
		q, err := strconv.ParseFloat(rest, 64)
		if err != nil || q <= 0 || q >= 100 || math.IsNaN(q) {
			return fmt.Errorf("%q is not a percentile; want p50 to p99.99, such as p95", s)
		}
		*h = HedgeDelay{Quantile: math.Round(q*1e7) / 1e9} // 99.9 → 0.999, not 0.9990000000000001
		return nil
	}
	var d units.Duration
	if err := d.UnmarshalText(b); err != nil {
		return fmt.Errorf("%q is neither a duration such as 50ms nor a percentile such as p95", s)
	}
	if d <= 0 {
		return fmt.Errorf("%q: the hedge delay must be more than 0", s)
	}
	*h = HedgeDelay{Fixed: d.D()}
	return nil
}

// MarshalText writes the form UnmarshalText reads.
func (h HedgeDelay) MarshalText() ([]byte, error) {
	if h.Quantile > 0 {
		return []byte("p" + strconv.FormatFloat(math.Round(h.Quantile*1e7)/1e5, 'f', -1, 64)), nil
	}
	return units.Duration(h.Fixed).MarshalText()
}

// check returns the problem of a delay set by code rather than read from
// text, or "".
func (h HedgeDelay) check() string {
	switch {
	case h.Fixed < 0:
		return fmt.Sprintf("delay %v is negative; want more than 0, or 0 for a quantile", h.Fixed)
	case h.Fixed > 0 && h.Quantile != 0:
		return "set a fixed delay or a quantile, not both"
	case h.Quantile < 0 || h.Quantile >= 1 || math.IsNaN(h.Quantile):
		return fmt.Sprintf("quantile %v is out of range; want more than 0 and less than 1, such as 0.95", h.Quantile)
	}
	return ""
}

// HedgePolicy is an upstream's own hedging under the hedged strategy, set
// in its call policy: Off (never hedge its calls: a payment, say, that must
// not be sent twice) or its own delay. The zero HedgePolicy keeps the
// strategy's hedge_delay.
type HedgePolicy struct {
	Off bool
	HedgeDelay
}

// UnmarshalText reads "off", "50ms" or "p95".
func (h *HedgePolicy) UnmarshalText(b []byte) error {
	if strings.TrimSpace(string(b)) == "off" {
		*h = HedgePolicy{Off: true}
		return nil
	}
	var d HedgeDelay
	if err := d.UnmarshalText(b); err != nil {
		return fmt.Errorf("%w, or off", err)
	}
	*h = HedgePolicy{HedgeDelay: d}
	return nil
}

// MarshalText writes the form UnmarshalText reads.
func (h HedgePolicy) MarshalText() ([]byte, error) {
	if h.Off {
		return []byte("off"), nil
	}
	return h.HedgeDelay.MarshalText()
}

// The spellings, for a loader's messages; both are written only as text.

func (HedgeDelay) YAMLForm() string { return "a duration such as 50ms or a percentile such as p95" }
func (HedgePolicy) YAMLForm() string {
	return "off, a duration such as 50ms or a percentile such as p95"
}
func (HedgeDelay) YAMLTextOnly()  {}
func (HedgePolicy) YAMLTextOnly() {}
