package compare

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/fanbench/fanbench/metrics"
)

// DefaultAlpha is the significance level: a change counts when a U test
// says so with p < 0.05, as benchstat decides.
const DefaultAlpha = 0.05

// Options tune a comparison. The zero value uses the defaults.
type Options struct {
	// Tolerances override DefaultTolerances, metric by metric.
	Tolerances Tolerances
	// Alpha is the significance level; DefaultAlpha when 0.
	Alpha float64
	// BaselineNames and CurrentNames name the results (their files) in
	// errors and notes, in the order given; "baseline 1", "current 1", …
	// when missing.
	BaselineNames, CurrentNames []string
}

// Mode says what a strategy's metrics were tested over.
type Mode string

const (
	// ModeRepeats tests the per-repeat figures: several repeats a side
	// (load.repeats, or several result files).
	ModeRepeats Mode = "repeats"
	// ModeWindows tests the per-second windows of one run a side.
	ModeWindows Mode = "windows"
)

// Verdict is what a comparison says of a metric.
type Verdict string

const (
	Better Verdict = "better"
	Worse  Verdict = "worse"
	// Same is "~": no change that is both significant and beyond its
	// tolerance.
	Same Verdict = "~"
)

// Comparison is what Compare found. Its JSON form is a stable format.
type Comparison struct {
	Scenario string  `json:"scenario"`
	Alpha    float64 `json:"alpha"`
	// Tolerances are the tolerances applied, every metric's.
	Tolerances Tolerances `json:"tolerances"`
	Baseline   Side       `json:"baseline"`
	Current    Side       `json:"current"`
	// SameSeed is true when every run on both sides drew from one seed:
	// paired draws, the least noise.
	SameSeed bool `json:"same_seed"`
	// Notes say what limits the comparison: different seeds, too few
	// samples, strategies on one side only.
	Notes []string `json:"notes,omitempty"`
	// EnvironmentDifferences say how the runs differ beyond the scenario:
	// CPUs, fanbench and Go versions, platform, runs interrupted, runs
	// that warned. Differences that can move the figures by themselves.
	EnvironmentDifferences []string             `json:"environment_differences,omitempty"`
	Strategies             []StrategyComparison `json:"strategies"`
	// Regressed is true when some metric regressed: a worse change, both
	// significant and beyond its tolerance.
	Regressed bool `json:"regressed"`
}

// Side describes the results of one side.
type Side struct {
	Files []string `json:"files"`
	Seeds []uint64 `json:"seeds"`
}

// What a strategy is judged by.
const (
	// JudgedByOperation: the latency and outcome its caller waits for.
	JudgedByOperation = "operation"
	// JudgedByDelivery: a strategy that answers its caller before its work
	// is done (queued) is judged by what it delivers: its latency metrics
	// are the delivery latency, its error and partial rates those of the
	// operations delivered in full, as the verdict judges it.
	JudgedByDelivery = "delivery"
)

// StrategyComparison is one strategy's metrics, baseline against current.
type StrategyComparison struct {
	Name string `json:"name"`
	Mode Mode   `json:"mode"`
	// JudgedBy is JudgedByOperation or JudgedByDelivery: what the latency
	// and rate metrics are of.
	JudgedBy string `json:"judged_by"`
	// BaselineRepeats and CurrentRepeats count the runs of the strategy on
	// each side.
	BaselineRepeats int                `json:"baseline_repeats"`
	CurrentRepeats  int                `json:"current_repeats"`
	Metrics         []MetricComparison `json:"metrics"`
	// Failed says why the strategy could not be compared: a side measured
	// no operation of it (every one cut off, dropped or not started). Its
	// figures are zeros that mean nothing, and the comparison fails
	// (Regressed), rather than finding "no significant change".
	Failed string `json:"failed,omitempty"`
}

// MetricComparison is one metric of one strategy.
type MetricComparison struct {
	Metric string `json:"metric"`
	// Unit is the unit of Baseline and Current: "ms", "ops/s", or "%" for
	// rates (0.4 is 0.4%).
	Unit string `json:"unit"`
	// Baseline and Current are the medians of each side's repeats.
	Baseline float64 `json:"baseline"`
	Current  float64 `json:"current"`
	// Change is current against baseline in ChangeUnit: "%" (relative) or
	// "pp" (percentage points, for rates); null when the baseline is 0 and
	// the current value is not.
	Change     *float64  `json:"change"`
	ChangeUnit string    `json:"change_unit"`
	Tolerance  Tolerance `json:"tolerance"`
	// P is the p-value of the U test; null when the metric was not tested.
	P *float64 `json:"p_value"`
	// BaselineN and CurrentN are the values tested: repeats, or windows.
	BaselineN   int     `json:"baseline_n"`
	CurrentN    int     `json:"current_n"`
	Significant bool    `json:"significant"`
	Verdict     Verdict `json:"verdict"`
	Regression  bool    `json:"regression"`
	// Note says why a change does not count, when it does not for a
	// reason other than noise: too few samples, not tested, within the
	// tolerance.
	Note string `json:"note,omitempty"`
}

// Compare compares current results with baseline results of the same
// scenario. Several results on a side are that side's repeats, as are the
// Repeats inside a result.
//
// The error wraps metrics.ErrMismatch when the results are of different
// scenarios (naming the keys that differ) or have no strategy in common,
// and metrics.ErrNotResult when a result's scenario cannot be read.
func Compare(baseline, current []*metrics.Result, o Options) (*Comparison, error) {
	if len(baseline) == 0 || len(current) == 0 {
		return nil, errors.New("compare needs at least one baseline and one current result")
	}
	alpha := o.Alpha
	if alpha == 0 {
		alpha = DefaultAlpha
	}
	if alpha <= 0 || alpha >= 1 {
		return nil, fmt.Errorf("alpha %v: must be between 0 and 1, such as 0.05", alpha)
	}
	tols := DefaultTolerances().With(o.Tolerances)
	base, err := readSide(baseline, o.BaselineNames, "baseline")
	if err != nil {
		return nil, err
	}
	cur, err := readSide(current, o.CurrentNames, "current")
	if err != nil {
		return nil, err
	}
	secretNotes, err := sameScenario(base, cur)
	if err != nil {
		return nil, err
	}
	c := &Comparison{
		Scenario:   base.infos[0].name,
		Alpha:      alpha,
		Tolerances: tols,
		Baseline:   Side{Files: base.names, Seeds: base.seeds()},
		Current:    Side{Files: cur.names, Seeds: cur.seeds()},
	}
	c.SameSeed = len(c.Baseline.Seeds) == 1 && slices.Equal(c.Baseline.Seeds, c.Current.Seeds)
	if !c.SameSeed {
		c.Notes = append(c.Notes, fmt.Sprintf("the seeds differ (baseline %s, current %s): the paired draws are lost, so the two sides "+
			"met different upstream behaviour and the noise is higher; run both sides with one seed", seedList(c.Baseline.Seeds), seedList(c.Current.Seeds)))
	}
	c.Notes = append(c.Notes, secretNotes...)
	c.EnvironmentDifferences = environmentDifferences(base, cur)
	for _, name := range strategyNames(base) {
		b, cu := base.strategy(name), cur.strategy(name)
		if len(cu.repeats) == 0 {
			c.Notes = append(c.Notes, fmt.Sprintf("strategy %s is in the baseline only: not compared", name))
			continue
		}
		c.Notes = append(c.Notes, optionNotes(name, b, cu)...)
		sc := compareStrategy(name, b, cu, tols, alpha)
		if sc.Failed = emptySide(b, cu); sc.Failed != "" {
			c.Notes = append(c.Notes, fmt.Sprintf("strategy %s: %s: it cannot be compared, and the comparison fails", name, sc.Failed))
		}
		c.Strategies = append(c.Strategies, sc)
	}
	for _, name := range strategyNames(cur) {
		if len(base.strategy(name).repeats) == 0 {
			c.Notes = append(c.Notes, fmt.Sprintf("strategy %s is in the current results only: not compared", name))
		}
	}
	if len(c.Strategies) == 0 {
		return nil, fmt.Errorf("%s: %w: no strategy in common with %s", strings.Join(cur.names, ", "), metrics.ErrMismatch, strings.Join(base.names, ", "))
	}
	c.Notes = append(c.Notes, sampleNotes(c.Strategies, alpha)...)
	for _, s := range c.Strategies {
		c.Regressed = c.Regressed || s.Failed != ""
		for _, m := range s.Metrics {
			c.Regressed = c.Regressed || m.Regression
		}
	}
	return c, nil
}

// emptySide says which side measured no operation of a strategy, in any
// of its runs; "" when both measured some.
func emptySide(b, c strategyRuns) string {
	measured := func(rs []metrics.Repeat) bool {
		for _, r := range rs {
			if r.Operations > 0 {
				return true
			}
		}
		return false
	}
	switch {
	case !measured(c.repeats):
		return "the current results measured no operation of it"
	case !measured(b.repeats):
		return "the baseline measured no operation of it"
	}
	return ""
}

// side is the results of one side with their scenarios.
type side struct {
	results []*metrics.Result
	names   []string
	infos   []scenarioInfo
}

func readSide(results []*metrics.Result, names []string, label string) (side, error) {
	s := side{results: results}
	for i, r := range results {
		name := fmt.Sprintf("%s %d", label, i+1)
		if i < len(names) && names[i] != "" {
			name = names[i]
		}
		if r == nil {
			return side{}, fmt.Errorf("%s: no result", name)
		}
		info, err := readScenario(r)
		if err != nil {
			return side{}, fmt.Errorf("%s: %w", name, err)
		}
		s.names = append(s.names, name)
		s.infos = append(s.infos, info)
	}
	return s, nil
}

// sameScenario checks every result against the first baseline. Values
// from the environment are compared by their fingerprints; those that
// cannot be (fingerprinted under other keys, or not at all) are noted.
func sameScenario(base, cur side) ([]string, error) {
	ref, refName := base.infos[0], base.names[0]
	var notes []string
	note := func(n string) {
		if !slices.Contains(notes, n) {
			notes = append(notes, n)
		}
	}
	check := func(s side) error {
		for i, info := range s.infos {
			d := scenarioDifferences(ref.comparable, info.comparable)
			if len(d.diffs) > 0 {
				return fmt.Errorf("%s: %w: its scenario differs from %s's at %s", s.names[i], metrics.ErrMismatch, refName, strings.Join(d.diffs, "; "))
			}
			for _, ids := range d.keyIDs {
				note(fmt.Sprintf("the values taken from the environment cannot be compared: %s fingerprinted them under key %s, %s under key %s; "+
					"set FANBENCH_FINGERPRINT_KEY to the same secret wherever results to compare are made", refName, ids[0], s.names[i], ids[1]))
			}
			if d.unkeyed {
				note(fmt.Sprintf("the values taken from the environment cannot be compared between %s and %s: one of them stored them "+
					"without a fingerprint (an older fanbench, or no key)", refName, s.names[i]))
			}
		}
		return nil
	}
	if err := check(base); err != nil {
		return nil, err
	}
	if err := check(cur); err != nil {
		return nil, err
	}
	return notes, nil
}

// strategyRuns is one strategy's runs on one side.
type strategyRuns struct {
	repeats []metrics.Repeat
	// async is set when the strategy answered its caller before its work
	// was done (it has a queue): it is judged by its delivery.
	async bool
	// windows are those of the first run found; they stand for the side
	// only when it has a single repeat.
	windows []metrics.Window
	options map[string]string
}

func (s side) strategy(name string) strategyRuns {
	var out strategyRuns
	for i, r := range s.results {
		for _, sr := range r.Strategies {
			if sr.Name != name {
				continue
			}
			if len(out.repeats) == 0 {
				out.windows, out.options = sr.Windows, sr.Options
			}
			out.async = out.async || sr.Queue != nil
			if len(sr.Repeats) > 0 {
				out.repeats = append(out.repeats, sr.Repeats...)
			} else {
				out.repeats = append(out.repeats, metrics.RepeatOf(sr, s.infos[i].seed))
			}
		}
	}
	return out
}

// seeds lists the seeds of every repeat, sorted, once each.
func (s side) seeds() []uint64 {
	var seeds []uint64
	for i, r := range s.results {
		seeds = append(seeds, s.infos[i].seed)
		for _, sr := range r.Strategies {
			for _, rep := range sr.Repeats {
				seeds = append(seeds, rep.Seed)
			}
		}
	}
	slices.Sort(seeds)
	return slices.Compact(seeds)
}

// strategyNames lists a side's strategies in the order they first appear.
func strategyNames(s side) []string {
	var names []string
	for _, r := range s.results {
		for _, sr := range r.Strategies {
			if !slices.Contains(names, sr.Name) {
				names = append(names, sr.Name)
			}
		}
	}
	return names
}

func seedList(seeds []uint64) string {
	parts := make([]string, len(seeds))
	for i, s := range seeds {
		parts[i] = fmt.Sprint(s)
	}
	return strings.Join(parts, ", ")
}

// environmentDifferences says where the two sides' environments differ
// (CPUs, versions, platform), and which runs were interrupted or warned.
func environmentDifferences(base, cur side) []string {
	var out []string
	fields := []struct {
		label string
		get   func(metrics.Environment) string
	}{
		{"CPUs", func(e metrics.Environment) string { return fmt.Sprint(e.CPUs) }},
		{"fanbench", func(e metrics.Environment) string { return e.FanbenchVersion }},
		{"Go", func(e metrics.Environment) string { return e.GoVersion }},
		{"platform", func(e metrics.Environment) string { return e.OS + "/" + e.Arch }},
	}
	values := func(s side, get func(metrics.Environment) string) []string {
		var vs []string
		for _, r := range s.results {
			if v := get(r.Environment); !slices.Contains(vs, v) {
				vs = append(vs, v)
			}
		}
		return vs
	}
	for _, f := range fields {
		b, c := values(base, f.get), values(cur, f.get)
		if !slices.Equal(b, c) || len(b) > 1 {
			out = append(out, fmt.Sprintf("%s: %s in the baseline, %s in the current results", f.label, strings.Join(b, " and "), strings.Join(c, " and ")))
		}
	}
	for _, s := range []side{base, cur} {
		for i, r := range s.results {
			if r.Interrupted {
				out = append(out, fmt.Sprintf("%s was interrupted: its figures cover only what ran before the stop", s.names[i]))
			}
		}
	}
	for _, s := range []side{base, cur} {
		for i, r := range s.results {
			switch len(r.Warnings) {
			case 0:
			case 1:
				out = append(out, fmt.Sprintf("%s warned: %s", s.names[i], r.Warnings[0]))
			default:
				out = append(out, fmt.Sprintf("%s warned %d times, first: %s", s.names[i], len(r.Warnings), r.Warnings[0]))
			}
		}
	}
	return out
}

func optionNotes(name string, b, c strategyRuns) []string {
	if maps.Equal(b.options, c.options) {
		return nil
	}
	return []string{fmt.Sprintf("strategy %s ran with other options: baseline %s, current %s",
		name, optionList(b.options), optionList(c.options))}
}

func optionList(o map[string]string) string {
	if len(o) == 0 {
		return "(none)"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(o)) {
		parts = append(parts, k+"="+o[k])
	}
	return strings.Join(parts, " ")
}
