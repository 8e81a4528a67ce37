package compare

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
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

// scenarioDifferences lists where a and b differ, as "key.path: A against
// B", in key order, at most maxDifferences and a count of the rest.
func scenarioDifferences(a, b map[string]any) []string {
	var diffs []string
	diffValues("", a, b, &diffs)
	if len(diffs) > maxDifferences {
		rest := len(diffs) - maxDifferences
		diffs = append(diffs[:maxDifferences], fmt.Sprintf("and %d more", rest))
	}
	return diffs
}

func diffValues(path string, a, b any, diffs *[]string) {
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
				diffValues(joinKey(path, k), av[k], bv[k], diffs)
			}
			return
		}
	case []any:
		if bv, ok := b.([]any); ok && len(av) == len(bv) {
			for i := range av {
				diffValues(path+"["+strconv.Itoa(i)+"]", av[i], bv[i], diffs)
			}
			return
		}
	}
	if !reflect.DeepEqual(a, b) {
		*diffs = append(*diffs, fmt.Sprintf("%s: %s against %s", path, show(a), show(b)))
	}
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
