package compare

import (
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
)

// TestEmptyStrategyFails: a strategy that measured no operation on a side
// (every one cut off by a hang without a timeout) is a failure of the
// comparison, named in the regressions and the headline, not "no
// significant change" between zeros.
func TestEmptyStrategyFails(t *testing.T) {
	t.Parallel()
	sc := scenarioJSON(42, "10s", "200ms")
	full := strategy("fanout", []metrics.Repeat{repeat(42, 300, 0)})
	empty := metrics.StrategyResult{Name: "fanout", Strategy: "fanout", Interrupted: 200}
	for _, tt := range []struct {
		name      string
		base, cur metrics.StrategyResult
		want      string
	}{
		{"current empty", full, empty, "the current results measured no operation of it"},
		{"baseline empty", empty, full, "the baseline measured no operation of it"},
		{"both empty", empty, empty, "the current results measured no operation of it"},
	} {
		c, err := Compare([]*metrics.Result{result(sc, tt.base)}, []*metrics.Result{result(sc, tt.cur)}, Options{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !c.Regressed || c.Strategies[0].Failed != tt.want {
			t.Errorf("%s: regressed %v, failed %q; want true, %q", tt.name, c.Regressed, c.Strategies[0].Failed, tt.want)
		}
		if h := Headline(c); h == "no significant change" || !strings.Contains(h, tt.want) {
			t.Errorf("%s: headline %q", tt.name, h)
		}
		if r := Regressions(c); len(r) != 1 || !strings.Contains(r[0], tt.want) {
			t.Errorf("%s: regressions %q", tt.name, r)
		}
		if !strings.Contains(strings.Join(c.Notes, "\n"), "fanout: "+tt.want+": it cannot be compared") {
			t.Errorf("%s: notes %q", tt.name, c.Notes)
		}
	}
	c, err := Compare([]*metrics.Result{result(sc, full)}, []*metrics.Result{result(sc, full)}, Options{})
	if err != nil || c.Regressed || c.Strategies[0].Failed != "" {
		t.Errorf("two full sides: regressed %v, failed %q (%v)", c.Regressed, c.Strategies[0].Failed, err)
	}
}
