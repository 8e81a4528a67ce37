package strategies

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// WaitFor is how many of an operation's calls a fan-out waits for: a share
// of them ("95%") or a count ("95"). The zero WaitFor waits for all.
// Critical calls are always waited for.
type WaitFor struct {
	Share float64 // in (0, 1]; 0 when Count is set
	Count int
}

// UnmarshalText reads "95%" or "95".
func (w *WaitFor) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if rest, ok := strings.CutSuffix(s, "%"); ok {
		p, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
		if err != nil || !(p > 0 && p <= 100) {
			return fmt.Errorf("%q is not a share of the calls; want more than 0%% and at most 100%%, such as 95%%", s)
		}
		*w = WaitFor{Share: math.Round(p*1e7) / 1e9} // 33.3 → 0.333, not 0.33299999999999996
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return fmt.Errorf("%q is neither a share of the calls such as 95%% nor a count of them such as 95", s)
	}
	*w = WaitFor{Count: n}
	return nil
}

// MarshalText writes the form UnmarshalText reads; "" for all.
func (w WaitFor) MarshalText() ([]byte, error) {
	switch {
	case w.Count > 0:
		return []byte(strconv.Itoa(w.Count)), nil
	case w.Share > 0:
		return []byte(strconv.FormatFloat(math.Round(w.Share*1e9)/1e7, 'f', -1, 64) + "%"), nil
	}
	return nil, nil
}

// IsZero reports whether w waits for every call (so a result leaves it out).
func (w WaitFor) IsZero() bool { return w == WaitFor{} }

// need is how many successful calls of n complete an operation.
func (w WaitFor) need(n int) int {
	switch {
	case w.Count > 0:
		return min(w.Count, n)
	case w.Share > 0:
		return min(n, int(math.Ceil(w.Share*float64(n)-1e-9)))
	}
	return n
}

// check returns the problem of a WaitFor set by code rather than read from
// text, or "".
func (w WaitFor) check() string {
	switch {
	case w.Count < 0 || w.Share < 0 || w.Share > 1 || math.IsNaN(w.Share):
		return fmt.Sprintf("%+v is out of range; want a share in (0%%, 100%%] or a count of 1 or more", w)
	case w.Count > 0 && w.Share > 0:
		return "set a share or a count, not both"
	}
	return ""
}

// YAMLForm names the spellings, for a loader's messages.
func (WaitFor) YAMLForm() string { return "a share of the calls such as 95% or a count such as 95" }

// YAMLTextOnly: a wait_for is written as text only.
func (WaitFor) YAMLTextOnly() {}
