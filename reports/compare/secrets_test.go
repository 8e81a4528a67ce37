package compare

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/scenarios"
)

const envLatencyScenario = `name: env-latency
seed: 42
upstreams:
  profile: {mock: {latency: {dist: fixed, value: "${FB_LATENCY}"}}}
  audit: {mock: {latency: 30ms}}
operation:
  calls: [{upstream: profile, path: /u}, {upstream: audit, path: /a}]
strategies: [fanout]
load: {rate: 10/s, duration: 1s}
`

// stored is the scenario as a result file stores it, with latency from
// the environment and the fingerprint key key ("" for none: the value is
// then stored as [redacted], as before fingerprints).
func stored(t *testing.T, latency, key string) json.RawMessage {
	t.Helper()
	env := map[string]string{"FB_LATENCY": latency}
	var opts []scenarios.ParseOption
	if key != "" {
		env[scenarios.FingerprintKeyEnv] = key
	}
	opts = append(opts, scenarios.WithEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }))
	sc, err := scenarios.Parse("env.yaml", []byte(envLatencyScenario), opts...)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sc.RedactedJSON()
	if err != nil {
		t.Fatal(err)
	}
	if key == "" {
		raw = json.RawMessage(secretMark.ReplaceAllString(string(raw), "[redacted]"))
	}
	return raw
}

// Scenarios that differ only in a value from the environment are told
// apart by its fingerprint, naming where, never showing it; under other
// keys, or without fingerprints, they cannot be, and compare says so.
func TestCompareSecrets(t *testing.T) {
	t.Parallel()
	run := func(sc json.RawMessage) *metrics.Result {
		return result(sc, strategy("fanout", []metrics.Repeat{repeat(42, 300, 0)}))
	}
	tests := []struct {
		name      string
		base, cur json.RawMessage
		wantErr   string
		wantNote  string
	}{
		{"same key, other value", stored(t, "237ms", "ci-secret"), stored(t, "263ms", "ci-secret"),
			"its scenario differs from base.json's at upstreams.profile.mock.latency.value: a value from the environment differs", ""},
		{"same key, same value", stored(t, "237ms", "ci-secret"), stored(t, "237ms", "ci-secret"), "", ""},
		{"other keys", stored(t, "237ms", "ci-secret"), stored(t, "263ms", "laptop-secret"), "",
			"the values taken from the environment cannot be compared: base.json fingerprinted them under key 1bf9ee57, cur.json under key "},
		{"an old file", stored(t, "237ms", ""), stored(t, "263ms", "ci-secret"), "",
			"one of them stored them without a fingerprint"},
		{"two old files", stored(t, "237ms", ""), stored(t, "263ms", ""), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Compare([]*metrics.Result{run(tt.base)}, []*metrics.Result{run(tt.cur)},
				Options{BaselineNames: []string{"base.json"}, CurrentNames: []string{"cur.json"}})
			for _, secret := range []string{"237ms", "263ms", "ci-secret", "laptop-secret"} {
				if err != nil && strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows %q: %v", secret, err)
				}
				if c != nil && strings.Contains(strings.Join(c.Notes, "\n"), secret) {
					t.Errorf("the notes show %q: %q", secret, c.Notes)
				}
			}
			if tt.wantErr != "" {
				if !errors.Is(err, metrics.ErrMismatch) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Compare = %v; want an ErrMismatch saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.wantNote != "" && !notesContain(c, tt.wantNote):
				t.Errorf("notes %q lack %q", c.Notes, tt.wantNote)
			case tt.wantNote == "" && notesContain(c, "from the environment"):
				t.Errorf("notes %q, want none about the environment", c.Notes)
			}
		})
	}
}

// Only the marks may differ for a difference to be the environment's: a
// difference in the text around them is shown as it is (its marks are
// fingerprints, not values).
func TestScenarioDifferencesAroundMarks(t *testing.T) {
	t.Parallel()
	const a, b = "[redacted:1bf9ee57:9ee779d67a6f3715]", "[redacted:1bf9ee57:3ad2adce2cfe6122]"
	tests := []struct {
		x, y string
		want []string
	}{
		{"/t/" + a + "/orders", "/t/" + b + "/orders", []string{"path: a value from the environment differs"}},
		{"/t/" + a + "/orders", "/t/" + a + "/items", []string{`path: "/t/` + a + `/orders" against "/t/` + a + `/items"`}},
		{a, a + a, []string{`path: "` + a + `" against "` + a}}, // the rest cut at 60 characters
		{"/t/" + a, "/t/" + a, nil},
	}
	for _, tt := range tests {
		d := scenarioDifferences(map[string]any{"path": tt.x}, map[string]any{"path": tt.y})
		if len(d.diffs) != len(tt.want) || len(tt.want) > 0 && !strings.HasPrefix(d.diffs[0], tt.want[0]) {
			t.Errorf("differences of %q and %q = %q, want %q", tt.x, tt.y, d.diffs, tt.want)
		}
	}
}
