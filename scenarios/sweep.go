package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/fanbench/fanbench/units"
)

// MaxSweepSteps bounds a sweep: more steps than this is almost always a
// step written in the wrong unit, and would run for hours.
const MaxSweepSteps = 50

// Sweep (under load:, open model) runs each strategy at rising constant
// rates, From, From+Step, … up to To, each for StepDuration on fresh
// mock upstreams, and stops a strategy's sweep at the first rate that breaks
// the SLO. The result is the highest rate each strategy sustains within it.
// A sweep replaces load.rate, load.stages, load.duration and
// load.operations; warmup, arrivals, max_in_flight and on_cap apply to
// every step.
type Sweep struct {
	From         units.Rate     `yaml:"from" json:"from"`
	To           units.Rate     `yaml:"to" json:"to"`
	Step         units.Rate     `yaml:"step" json:"step"`
	StepDuration units.Duration `yaml:"step_duration" json:"step_duration"`
	SLO          SLO            `yaml:"slo" json:"slo"`
}

// Rates lists the rates of the steps: From, From+Step, … while at most To
// (To itself when the steps land on it).
func (s *Sweep) Rates() []float64 {
	from, to, step := s.From.PerSecond(), s.To.PerSecond(), s.Step.PerSecond()
	if !(step > 0) || !(to >= from) {
		return nil
	}
	var rates []float64
	for i := 0; i < MaxSweepSteps; i++ {
		r := from + float64(i)*step // not accumulated: no drift over the steps
		if r > to*(1+1e-9) {
			break
		}
		rates = append(rates, r)
	}
	return rates
}

// steps is how many steps the sweep has, uncapped, for validation.
func (s *Sweep) steps() float64 {
	return math.Floor((s.To.PerSecond()-s.From.PerSecond())/s.Step.PerSecond()*(1+1e-9)) + 1
}

// String describes the sweep for progress lines.
func (s *Sweep) String() string {
	return fmt.Sprintf("sweep %s to %s by %s, %v a step, SLO %s", s.From, s.To, s.Step, s.StepDuration, s.SLO)
}

// sweep checks a sweep: an open model without the fields it replaces, a
// rising range of at most MaxSweepSteps steps, a step duration longer than
// the warm-up, and an SLO.
func (c *checker) sweep(l *LoadSpec) {
	s := l.Sweep
	if l.Model != ModelOpen {
		c.addf("load.sweep", "a sweep raises the arrival rate: it needs model: open, not %s", l.Model)
		return
	}
	for _, f := range []string{"rate", "stages", "duration", "operations"} {
		if c.written("load." + f) {
			c.addf("load."+f, "the sweep sets the rate and length of each step; remove %s", f)
		}
	}
	switch {
	case s.From <= 0:
		c.addf("load.sweep.from", "%s; set the first rate, such as from: 100/s", c.orZero("load.sweep.from"))
	case s.To <= s.From:
		c.addf("load.sweep.to", "%v is not above from (%v); set the last rate, such as to: %v", s.To, s.From, s.From*10)
	case s.Step <= 0:
		c.addf("load.sweep.step", "%s; set how much each step adds, such as step: %v", c.orZero("load.sweep.step"), (s.To-s.From)/10)
	case s.steps() > MaxSweepSteps:
		c.addf("load.sweep.step", "%v makes %.0f steps from %v to %v; at most %d are allowed: use a larger step, such as step: %v",
			s.Step, s.steps(), s.From, s.To, MaxSweepSteps, (s.To-s.From)/(MaxSweepSteps-1))
	}
	switch {
	case s.StepDuration <= 0:
		c.addf("load.sweep.step_duration", "%s; set how long each rate runs, such as step_duration: 10s", c.orZero("load.sweep.step_duration"))
	case l.Warmup >= s.StepDuration:
		c.addf("load.warmup", "the warm-up (%v) applies to every step and must be shorter than step_duration (%v), such as warmup: 1s",
			l.Warmup, s.StepDuration)
	}
	if s.SLO.IsZero() && !c.bad["load.sweep.slo"] {
		c.addf("load.sweep.slo", "%s; set the objective each step must meet, such as slo: \"p99 < 300ms and error_rate < 1%%\"", c.missing("load.sweep.slo"))
	}
}

// SLO is a service-level objective a sweep step must meet: a latency
// percentile below a bound, and optionally an error rate below a share.
// It is written "p99 < 300ms" or "p99 < 300ms and error_rate < 1%"; the
// percentiles are p50, p90, p95, p99 and p99.9.
type SLO struct {
	// Percentile is 50, 90, 95, 99 or 99.9.
	Percentile float64
	// Below is the bound the percentile of the latency must stay under.
	Below time.Duration
	// MaxErrorRate is the share of failed operations the step must stay
	// under, when HasErrorRate.
	MaxErrorRate float64
	HasErrorRate bool
}

// sloPercentiles are the percentiles an SLO may name, as written.
var sloPercentiles = map[string]float64{"p50": 50, "p90": 90, "p95": 95, "p99": 99, "p99.9": 99.9}

// SLOError is a mistake in an SLO's text, at a column (from 1) of it.
type SLOError struct {
	Column int
	Msg    string
}

func (e *SLOError) Error() string { return fmt.Sprintf("at column %d: %s", e.Column, e.Msg) }

// sloHelp is the grammar, for error messages.
const sloHelp = `write it as "p99 < 300ms", optionally followed by "and error_rate < 1%"; percentiles: p50, p90, p95, p99, p99.9`

// ParseSLO reads an SLO from its text. Errors are *SLOError.
func ParseSLO(text string) (SLO, error) {
	toks := sloTokens(text)
	var s SLO
	at := func(i int) int { // column of token i, or just past the end
		if i < len(toks) {
			return toks[i].col
		}
		return len(text) + 1
	}
	fail := func(i int, format string, args ...any) (SLO, error) {
		return SLO{}, &SLOError{Column: at(i), Msg: fmt.Sprintf(format, args...)}
	}
	// expect checks that token i is want.
	expect := func(i int, want string) bool {
		return i < len(toks) && toks[i].text == want
	}
	if len(toks) == 0 {
		return fail(0, "empty; %s", sloHelp)
	}
	p, ok := sloPercentiles[strings.ToLower(toks[0].text)]
	if !ok {
		return fail(0, "%q is not a latency percentile; %s", toks[0].text, sloHelp)
	}
	s.Percentile = p
	if !expect(1, "<") {
		return fail(1, "want < after %s; %s", toks[0].text, sloHelp)
	}
	if len(toks) < 3 {
		return fail(2, "want a duration after <, such as 300ms")
	}
	var d units.Duration
	if err := d.UnmarshalText([]byte(toks[2].text)); err != nil || d <= 0 {
		return fail(2, "%q is not a duration above 0; write it with a unit, such as 300ms", toks[2].text)
	}
	s.Below = d.D()
	if len(toks) == 3 {
		return s, nil
	}
	if !strings.EqualFold(toks[3].text, "and") {
		return fail(3, "unexpected %q; %s", toks[3].text, sloHelp)
	}
	if len(toks) < 5 || !strings.EqualFold(toks[4].text, "error_rate") {
		return fail(4, "want error_rate after and, such as and error_rate < 1%%")
	}
	if !expect(5, "<") {
		return fail(5, "want < after error_rate, such as error_rate < 1%%")
	}
	if len(toks) < 7 {
		return fail(6, "want a share after <, such as 1%%")
	}
	var f units.Fraction
	if err := f.UnmarshalText([]byte(toks[6].text)); err != nil || f <= 0 {
		return fail(6, "%q is not a share above 0; write a percentage such as 1%%", toks[6].text)
	}
	if len(toks) > 7 {
		return fail(7, "unexpected %q after the error rate; %s", toks[7].text, sloHelp)
	}
	s.MaxErrorRate, s.HasErrorRate = f.Float(), true
	return s, nil
}

type sloToken struct {
	text string
	col  int
}

// sloTokens splits an SLO or a threshold into words and the comparison
// operators <, <=, > and >= (an SLO takes < only), with their columns from 1.
func sloTokens(text string) []sloToken {
	var toks []sloToken
	for i := 0; i < len(text); {
		switch c := text[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '<' || c == '>':
			j := i + 1
			if j < len(text) && text[j] == '=' {
				j++
			}
			toks = append(toks, sloToken{text[i:j], i + 1})
			i = j
		default:
			j := i
			for j < len(text) && !strings.ContainsRune(" \t\n\r<>", rune(text[j])) {
				j++
			}
			toks = append(toks, sloToken{text[i:j], i + 1})
			i = j
		}
	}
	return toks
}

// IsZero reports whether no SLO was set.
func (s SLO) IsZero() bool { return s == SLO{} }

// String writes the SLO as ParseSLO reads it.
func (s SLO) String() string {
	if s.IsZero() {
		return ""
	}
	out := "p" + strconv.FormatFloat(s.Percentile, 'f', -1, 64) + " < " + s.Below.String()
	if s.HasErrorRate {
		out += " and error_rate < " + units.Fraction(s.MaxErrorRate).String()
	}
	return out
}

// MarshalText writes the SLO as text.
func (s SLO) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads an SLO with ParseSLO.
func (s *SLO) UnmarshalText(b []byte) error {
	v, err := ParseSLO(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Met reports whether a step met the SLO, given the latency at the SLO's
// percentile and the share of failed operations, and says why not.
func (s SLO) Met(latency time.Duration, errorRate float64) (bool, string) {
	if latency >= s.Below {
		return false, fmt.Sprintf("p%s %v ≥ %v", strconv.FormatFloat(s.Percentile, 'f', -1, 64), latency.Round(100*time.Microsecond), s.Below)
	}
	if s.HasErrorRate && errorRate >= s.MaxErrorRate {
		return false, fmt.Sprintf("error rate %.2f%% ≥ %s", errorRate*100, units.Fraction(s.MaxErrorRate))
	}
	return true, ""
}
