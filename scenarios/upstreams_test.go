package scenarios_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/scenarios"
	"github.com/fanbench/fanbench/units"
)

func TestParseUpstreams(t *testing.T) {
	t.Parallel()
	seed, err := scenarios.ExampleSource("seed")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		src  string
		want *scenarios.UpstreamsFile // nil when an error is expected
		errs []string                 // fragments of the error, each on its own line
	}{
		{"upstreams only", "seed: 5\nupstreams:\n  profile: {mock: {latency: 20ms, errors: {503: 1%}}}\n  audit:\n    mock: {latency: {dist: uniform, min: 1ms, max: 2ms}}\n",
			&scenarios.UpstreamsFile{Seed: 5, Upstreams: scenarios.Upstreams{
				{Name: "profile", Mock: &mockupstream.Config{
					Latency: draws.Latency{Dist: draws.DistFixed, Value: dur(20 * time.Millisecond)},
					Errors:  map[int]units.Fraction{503: 0.01},
				}},
				{Name: "audit", Mock: &mockupstream.Config{Latency: draws.Latency{
					Dist: draws.DistUniform, Min: dur(time.Millisecond), Max: dur(2 * time.Millisecond),
				}}},
			}}, nil},
		{"no seed, an anchor", "x-fast: &fast {latency: 1ms}\nupstreams:\n  a: {mock: *fast}\n",
			&scenarios.UpstreamsFile{Upstreams: scenarios.Upstreams{{Name: "a", Mock: fixed(time.Millisecond)}}}, nil},
		{"a whole scenario", string(seed),
			&scenarios.UpstreamsFile{Seed: 42, Upstreams: scenarios.Upstreams{
				{Name: "profile", Mock: fixed(200 * time.Millisecond)},
				{Name: "audit", Mock: fixed(300 * time.Millisecond)},
			}}, nil},
		{"a url upstream", "upstreams:\n  a: {mock: {latency: 1ms}}\n  billing:\n    url: https://billing.example.com\n", nil,
			[]string{"f.yaml:4:10: upstreams.billing.url: billing is a real service (url: https://billing.example.com): fanbench mock has nothing to serve"}},
		{"a url upstream in a scenario", strings.Replace(string(seed), "mock:\n      latency: 200ms", "url: http://localhost:1", 1), nil,
			[]string{"upstreams.profile.url: profile is a real service"}},
		{"a bad mock field", "upstreams:\n  a:\n    mock:\n      latency: {dist: uniform, min: 30ms, max: 10ms}\n      errors: {200: 1%}\n", nil,
			[]string{"f.yaml:4:", "upstreams.a.mock.latency.max", "f.yaml:5:16: upstreams.a.mock.errors.200: status 200 is not an error status"}},
		{"a typo at the top", "seeds: 1\nupstream:\n  a: {mock: {latency: 1ms}}\n", nil,
			[]string{`f.yaml:1:1: seeds: unknown key; did you mean "seed"? allowed: seed, upstreams`, `f.yaml:2:1: upstream: unknown key; did you mean "upstreams"?`}},
		{"no upstreams", "seed: 1\n", nil, []string{"upstreams: missing; define at least one upstream"}},
		{"empty", "# nothing\n", nil, []string{"f.yaml:1:1: the file is empty; it needs upstreams"}},
		{"a scenario being written", "name: x\nupstreams: {a: {mock: {latency: 1ms}}}\nload: {rate: 10/s}\n",
			&scenarios.UpstreamsFile{Upstreams: scenarios.Upstreams{{Name: "a", Mock: fixed(time.Millisecond)}}}, nil},
		{"a scenario with a bad value elsewhere", "name: x\nupstreams: {a: {mock: {latency: 1ms}}}\nload: {rate: fast, durration: 1s}\n", nil,
			[]string{`f.yaml:3:14: load.rate: "fast" is not a rate`, `f.yaml:3:20: load.durration: unknown key; did you mean "duration"?`}},
		{"not a mapping", "- a\n", nil, []string{"f.yaml:1:1: expected a mapping"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := scenarios.ParseUpstreams("f.yaml", []byte(tt.src))
			if tt.want != nil {
				if err != nil {
					t.Fatalf("ParseUpstreams(%q): %v", tt.src, err)
				}
				tt.want.File = "f.yaml"
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("ParseUpstreams(%q) =\n%+v\nwant\n%+v", tt.src, got, tt.want)
				}
				return
			}
			if err == nil || got != nil {
				t.Fatalf("ParseUpstreams(%q) = %+v, %v; want an error", tt.src, got, err)
			}
			if !errors.Is(err, scenarios.ErrInvalid) {
				t.Errorf("ParseUpstreams(%q) error does not match ErrInvalid: %v", tt.src, err)
			}
			for _, w := range tt.errs {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("ParseUpstreams(%q) error lacks %q:\n%v", tt.src, w, err)
				}
			}
		})
	}
}

func TestLoadUpstreams(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "ups.yaml")
	if err := os.WriteFile(path, []byte("upstreams: {a: {mock: {latency: 1ms}}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := scenarios.LoadUpstreams(path)
	if err != nil || got.File != path || len(got.Upstreams) != 1 {
		t.Errorf("LoadUpstreams(%q) = %+v, %v; want one upstream", path, got, err)
	}
	missing := filepath.Join(dir, "nope.yaml")
	_, err = scenarios.LoadUpstreams(missing)
	if err == nil || !errors.Is(err, scenarios.ErrInvalid) || !errors.Is(err, fs.ErrNotExist) ||
		err.Error() != missing+": cannot read the upstreams: no such file or directory" {
		t.Errorf("LoadUpstreams(%q) = %v; want a positioned ErrInvalid matching fs.ErrNotExist", missing, err)
	}
}

// FuzzParseUpstreams checks that no input makes ParseUpstreams panic, and
// that every failure is an ErrInvalid naming the file.
func FuzzParseUpstreams(f *testing.F) {
	for _, s := range []string{
		"upstreams: {a: {mock: {latency: 1ms}}}", "seed: 1\nupstreams: {a: {url: http://x}}", "name: x",
		"", "~", "[", "x-a: &a {latency: 1ms}\nupstreams: {a: {mock: *a}}", "upstreams: [a]",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		u, err := scenarios.ParseUpstreams("f.yaml", data)
		if err == nil {
			for _, up := range u.Upstreams {
				if up.Mock == nil {
					t.Fatalf("ParseUpstreams(%q) accepted upstream %q without a mock", data, up.Name)
				}
			}
			return
		}
		if u != nil || !errors.Is(err, scenarios.ErrInvalid) {
			t.Fatalf("ParseUpstreams(%q) = %v, %v; want nil and an ErrInvalid", data, u, err)
		}
		for line := range strings.SplitSeq(err.Error(), "\n") {
			if !strings.HasPrefix(line, "f.yaml") {
				t.Fatalf("ParseUpstreams(%q) error line %q does not name the file", data, line)
			}
		}
	})
}

// rate_limit: 50/s is the shorthand for {rate: 50/s, burst: 5}, for a
// mock's limit and for a call policy's alike.
func TestRateLimitShorthand(t *testing.T) {
	t.Parallel()
	src := `name: rl
upstreams:
  api: {mock: {latency: 1ms, rate_limit: 50/s}}
  slow: {mock: {latency: 1ms, rate_limit: "2.5/s"}}
operation: {calls: [{upstream: api}, {upstream: slow}]}
strategies: [fanout]
policies: {default: {rate_limit: 100/s}}
load: {rate: 10/s, duration: 1s}
`
	sc, err := scenarios.Parse("rl.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if rl := sc.Upstreams[0].Mock.RateLimit; rl.Rate != 50 || rl.Burst != 5 {
		t.Errorf("api rate_limit = %+v, want 50/s with burst 5", rl)
	}
	if rl := sc.Upstreams[1].Mock.RateLimit; rl.Rate != 2.5 || rl.Burst != 1 {
		t.Errorf("slow rate_limit = %+v, want 2.5/s with burst 1", rl)
	}
	if p := sc.PolicyFor("api").RateLimit; p.Rate != 100 || p.Burst != 10 {
		t.Errorf("policy rate_limit = %+v, want 100/s with burst 10", p)
	}
	if _, err := scenarios.Parse("rl.yaml", []byte(strings.Replace(src, "rate_limit: 50/s", "rate_limit: fast", 1))); err == nil ||
		!strings.Contains(err.Error(), `upstreams.api.mock.rate_limit: "fast" is not a rate`) {
		t.Errorf("a bad shorthand: %v", err)
	}
}
