package compare

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/fanbench/fanbench/metrics"
)

// Two results are of the same scenario when their scenarios, as recorded
// in the result files, agree on everything but the keys below. Each is a
// path of object keys.
//
//   - seed: other draws are still the same experiment; a different seed
//     costs the paired draws, and the comparison says so (sameSeeds).
//   - description, thresholds: words and assertions, not the experiment.
//   - load.duration, load.repeats: a longer run or more repeats measure
//     the same thing with more samples.
//   - strategies: matched by name instead, one by one; a strategy on one
//     side only is a note, and so are different options of one name.
//
// The rest — upstreams, operation, policies, the rate and model of the
// load, the warm-up — changes what is measured, so a difference is an
// error that names the first few keys that differ.
var ignoredScenarioKeys = [][]string{
	{"seed"}, {"description"}, {"thresholds"}, {"strategies"},
	{"load", "duration"}, {"load", "repeats"},
}

// scenarioInfo is what a comparison needs of a result's scenario.
type scenarioInfo struct {
	name string
	seed uint64
	// comparable is the scenario without ignoredScenarioKeys.
	comparable map[string]any
}

func readScenario(r *metrics.Result) (scenarioInfo, error) {
	var info scenarioInfo
	if len(r.Scenario) == 0 || string(r.Scenario) == "null" {
		info.comparable = map[string]any{}
		return info, nil
	}
	var head struct {
		Name string `json:"name"`
		Seed uint64 `json:"seed"`
	}
	if err := json.Unmarshal(r.Scenario, &head); err != nil {
		return info, fmt.Errorf("%w: its scenario: %v", metrics.ErrNotResult, err)
	}
	var all map[string]any
	if err := json.Unmarshal(r.Scenario, &all); err != nil {
		return info, fmt.Errorf("%w: its scenario: %v", metrics.ErrNotResult, err)
	}
	for _, path := range ignoredScenarioKeys {
		deletePath(all, path)
	}
	info.name, info.seed, info.comparable = head.Name, head.Seed, all
	return info, nil
}

func deletePath(m map[string]any, path []string) {
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			return
		}
		m = next
	}
	delete(m, path[len(path)-1])
}

// maxDifferences is how many differing keys an error lists.
const maxDifferences = 3

// scenarioDiff is where two scenarios differ, and what could not be
// compared.
type scenarioDiff struct {
	// diffs are "key.path: A against B", in key order.
	diffs []string
	// keyIDs are the pairs of fingerprint keys (see secret marks below)
	// that values from the environment were fingerprinted with, when they
	// differ: such values cannot be compared.
	keyIDs [][2]string
	// unkeyed is set when a value from the environment on one side has no
	// fingerprint ([redacted], from a file written before fingerprints or
	// without a key) and the other's has one.
	unkeyed bool
}

// scenarioDifferences lists where a and b differ, as "key.path: A against
// B", in key order, at most maxDifferences and a count of the rest.
func scenarioDifferences(a, b map[string]any) scenarioDiff {
	var d scenarioDiff
	d.values("", a, b)
	if len(d.diffs) > maxDifferences {
		rest := len(d.diffs) - maxDifferences
		d.diffs = append(d.diffs[:maxDifferences], fmt.Sprintf("and %d more", rest))
	}
	return d
}

func (d *scenarioDiff) values(path string, a, b any) {
	switch av := a.(type) {
	case map[string]any:
		if bv, ok := b.(map[string]any); ok {
			keys := slices.Sorted(maps.Keys(av))
			for k := range bv {
				if _, ok := av[k]; !ok {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			for _, k := range keys {
				d.values(joinKey(path, k), av[k], bv[k])
			}
			return
		}
	case []any:
		if bv, ok := b.([]any); ok && len(av) == len(bv) {
			names := elementNames(av, bv)
			for i := range av {
				p := path + "[" + strconv.Itoa(i) + "]"
				if names != nil {
					p = joinKey(path, names[i])
				}
				d.values(p, av[i], bv[i])
			}
			return
		}
	case string:
		if bv, ok := b.(string); ok && av != bv {
			switch d.secrets(av, bv) {
			case secretsDiffer:
				d.diffs = append(d.diffs, path+": a value from the environment differs")
				return
			case secretsUnknown:
				return
			}
		}
	}
	if !reflect.DeepEqual(a, b) {
		d.diffs = append(d.diffs, fmt.Sprintf("%s: %s against %s", path, show(a), show(b)))
	}
}

// elementNames names the elements of two lists by their "name" (the
// upstreams, say: upstreams.profile rather than upstreams[0]) when every
// element of both has one, unique in its list, and the two lists name
// theirs alike; nil otherwise.
func elementNames(a, b []any) []string {
	names := make([]string, len(a))
	seen := map[string]bool{}
	for i := range a {
		am, _ := a[i].(map[string]any)
		bm, _ := b[i].(map[string]any)
		an, _ := am["name"].(string)
		bn, _ := bm["name"].(string)
		if an == "" || an != bn || seen[an] {
			return nil
		}
		seen[an] = true
		names[i] = an
	}
	return names
}

// What the scenarios package stores in place of a secret (see
// scenarios.FingerprintKey): [redacted:KEYID:FP], its keyed fingerprint,
// or [redacted] when there was no key (or the file was written before
// fingerprints).
var secretMark = regexp.MustCompile(`\[redacted(?::([0-9a-f]{8}):([0-9a-f]{16}))?\]`)

// secretsVerdict is what the secrets of two otherwise equal strings say.
type secretsVerdict int

const (
	// notSecrets: the strings differ outside their secrets, or hold none.
	notSecrets secretsVerdict = iota
	// secretsDiffer: under one key, a secret's fingerprint differs.
	secretsDiffer
	// secretsUnknown: the strings are alike but for secrets that cannot be
	// compared (other keys, or no fingerprint).
	secretsUnknown
	// secretsAlike never happens for strings that differ.
)

// secrets compares two different strings that may hold secret marks.
func (d *scenarioDiff) secrets(a, b string) secretsVerdict {
	am, bm := secretMark.FindAllStringSubmatchIndex(a, -1), secretMark.FindAllStringSubmatchIndex(b, -1)
	if len(am) == 0 || len(am) != len(bm) {
		return notSecrets
	}
	// The text around the marks must be the same.
	if !slices.Equal(secretMark.Split(a, -1), secretMark.Split(b, -1)) {
		return notSecrets
	}
	differ, unknown := false, false
	for i := range am {
		aID, aFP := group(a, am[i], 1), group(a, am[i], 2)
		bID, bFP := group(b, bm[i], 1), group(b, bm[i], 2)
		switch {
		case aID == "" && bID == "":
			// Two plain [redacted]: alike as far as anyone can tell, as
			// before fingerprints.
		case aID == "" || bID == "":
			d.unkeyed, unknown = true, true
		case aID != bID:
			if pair := [2]string{aID, bID}; !slices.Contains(d.keyIDs, pair) {
				d.keyIDs = append(d.keyIDs, pair)
			}
			unknown = true
		case aFP != bFP:
			differ = true
		}
	}
	switch {
	case differ:
		return secretsDiffer
	case unknown:
		return secretsUnknown
	}
	return notSecrets // unreachable for different strings; compared in full
}

// group is the text of submatch n of a match, "" when it did not take
// part.
func group(s string, m []int, n int) string {
	if m[2*n] < 0 {
		return ""
	}
	return s[m[2*n]:m[2*n+1]]
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// show renders a scenario value compactly; a missing one is "(absent)".
func show(v any) string {
	if v == nil {
		return "(absent)"
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	s := string(data)
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return strings.TrimSpace(s)
}
