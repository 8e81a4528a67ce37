package scenarios

import (
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func mapEnv(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

var testEnv = map[string]string{"A": "alpha", "E": "", "P": "80", "TOKEN": "s3cr3t-t0ken", "_x1": "under"}

func TestExpand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		secrets        []string
		problem        string // a fragment of the only problem; "" for none
	}{
		{name: "no dollar", in: "plain text {x}", want: "plain text {x}"},
		{name: "set", in: "${A}", want: "alpha", secrets: []string{"alpha"}},
		{name: "inside a larger string", in: "Bearer ${TOKEN}!", want: "Bearer s3cr3t-t0ken!", secrets: []string{"s3cr3t-t0ken"}},
		{name: "two references", in: "${A}-${_x1}", want: "alpha-under", secrets: []string{"alpha", "under"}},
		{name: "unset without default", in: "${B}", problem: "${B} is not set; export it or write ${B:-default}"},
		{name: "unset with default", in: "${B:-dflt}", want: "dflt"},
		{name: "unset with empty default", in: "x${B:-}y", want: "xy"},
		{name: "empty with default", in: "${E:-d}", want: "d"},
		{name: "empty without default", in: "[${E}]", want: "[]"},
		{name: "set with default", in: "${A:-d}", want: "alpha", secrets: []string{"alpha"}},
		{name: "short value is no secret", in: ":${P}", want: ":80"},
		{name: "dollar dollar", in: "a$$b", want: "a$b"},
		{name: "escaped reference", in: "$${A}", want: "${A}"},
		{name: "four dollars", in: "$$$$", want: "$$"},
		{name: "escape then reference", in: "$$${A}", want: "$alpha", secrets: []string{"alpha"}},
		{name: "lone dollars stay", in: "$5 $A $ {A} $", want: "$5 $A $ {A} $"},
		{name: "nested default", in: "${B:-${A}}", want: "alpha", secrets: []string{"alpha"}},
		{name: "nested defaults", in: "${B:-${C:-x}}", want: "x"},
		{name: "unused default is not looked up", in: "${A:-${B}}", want: "alpha", secrets: []string{"alpha"}},
		{name: "used default with unset variable", in: "${B:-${C}}", problem: "${C} is not set"},
		{name: "braces in default", in: "${B:-{x}}", want: "{x}"},
		{name: "brace after reference", in: "${B:-a}b}", want: "ab}"},
		{name: "escape in default", in: "${B:-$${A}}", want: "${A}"},
		{name: "empty name", in: "${}", problem: "${} names no variable"},
		{name: "empty name with default", in: "${:-x}", problem: "names no variable"},
		{name: "digit first", in: "x${1X}", problem: `${1X}: "1X" is not a variable name`},
		{name: "dash without colon", in: "${A-b}", problem: "${A-b}: expected } or :-default after ${A"},
		{name: "other operator", in: "${A:?oops}", problem: "expected } or :-default"},
		{name: "space in name", in: "${a b}", problem: "expected } or :-default"},
		{name: "unclosed", in: "https://${HOST/v1", problem: `"${HOST/v1" has no closing }`},
		{name: "unclosed default", in: "${B:-x", problem: "has no closing }"},
		{name: "unclosed nested once", in: "${B:-${A", problem: `"${A" has no closing }`},
		{name: "unclosed bad name", in: "${1", problem: "has no closing }"},
		{name: "dollar brace at end", in: "x${", problem: "has no closing }"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := &envExpander{lookup: mapEnv(testEnv)}
			got, _ := e.expand(tt.in)
			switch {
			case tt.problem == "" && len(e.problems) > 0:
				t.Fatalf("expand(%q) problems %q, want none", tt.in, e.problems)
			case tt.problem != "" && (len(e.problems) != 1 || !strings.Contains(string(e.problems[0]), tt.problem)):
				t.Fatalf("expand(%q) problems %q, want one containing %q", tt.in, e.problems, tt.problem)
			case tt.problem != "":
				return
			}
			if got != tt.want {
				t.Errorf("expand(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if strings.Join(e.secrets, ",") != strings.Join(tt.secrets, ",") {
				t.Errorf("expand(%q) secrets %q, want %q", tt.in, e.secrets, tt.secrets)
			}
		})
	}
}

// Expansion works on values wherever they sit (block and flow mappings,
// lists, anchors used through aliases and merge keys), never on keys.
func TestParseExpandsValues(t *testing.T) {
	t.Parallel()
	src := `name: ${NAME:-env-test}
x-base: &base {latency: "${LAT}"}
x-${KEY}: ignored
upstreams:
  api: {mock: *base}
  real:
    url: "https://${HOST}/v1"
    headers:
      Authorization: "Bearer ${TOKEN}"
operation:
  calls:
    - {upstream: api, path: "/u/$${X}"}
    - upstream: real
      path: /x
strategies: ["${STRAT}", sequential]
load:
  <<: {duration: "${DUR}"}
  rate: ${RATE}/s
`
	env := map[string]string{"LAT": "20ms", "HOST": "api.example.com", "TOKEN": "s3cr3t-t0ken",
		"STRAT": "fanout", "RATE": "50", "DUR": "2s", "KEY": "never"}
	s, err := Parse("f.yaml", []byte(src), WithEnv(mapEnv(env)))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"name", s.Name, "env-test"},
		{"latency through an alias", s.Upstreams[0].Mock.Latency.Value.D(), 20 * time.Millisecond},
		{"url", s.Upstreams[1].URL, "https://api.example.com/v1"},
		{"header", s.Upstreams[1].Headers["Authorization"], "Bearer s3cr3t-t0ken"},
		{"escaped path", s.Operation.Calls[0].Path, "/u/${X}"},
		{"strategy in a list", s.Strategies[0].Name, "fanout"},
		{"duration through a merge key", s.Load.Duration.D(), 2 * time.Second},
		{"rate in a larger value", s.Load.Rate.PerSecond(), 50.0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("Parse: %s = %v, want %v", c.what, c.got, c.want)
		}
	}
	secrets := strings.Join(s.Secrets(), ",")
	for _, want := range []string{"s3cr3t-t0ken", "api.example.com", "fanout", "20ms"} {
		if !strings.Contains(secrets, want) {
			t.Errorf("Secrets() = %s, want it to hold %q", secrets, want)
		}
	}
	for _, short := range []string{"50", "2s"} {
		for _, sec := range s.Secrets() {
			if sec == short {
				t.Errorf("Secrets() holds the short value %q", short)
			}
		}
	}
}

// Keys are never expanded: they are the format's spelling, not values.
func TestExpandLeavesKeys(t *testing.T) {
	t.Parallel()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("${A}: ${A}\n? [\"${A}\"]\n: {\"${A}\": [\"${A}\"]}\n"), &doc); err != nil {
		t.Fatal(err)
	}
	d := newDecoder("f.yaml")
	d.expandEnv(&doc, mapEnv(testEnv))
	out, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	want := "${A}: alpha\n? [\"${A}\"]\n: {\"${A}\": [\"alpha\"]}\n"
	if string(out) != want || len(d.errs) > 0 {
		t.Errorf("expanded document:\n%s(errors %v)\nwant:\n%s", out, d.errs, want)
	}
}

// Every problem is reported at once, at its value's line and column, with
// the field path; a value taken from the environment and quoted back in
// another error is redacted.
func TestExpandErrors(t *testing.T) {
	t.Parallel()
	src := `name: t
upstreams:
  api:
    url: https://api.example.com
    headers: {Authorization: "Bearer ${API_TOKEN}"}
operation:
  calls: [{upstream: api, path: "/p/${1P}"}]
strategies: [fanout, "${STRAT"]
load: {rate: "${RATE}", duration: 1s}
`
	_, err := Parse("f.yaml", []byte(src), WithEnv(mapEnv(map[string]string{"RATE": "very-fast"})))
	if err == nil {
		t.Fatal("Parse succeeded, want errors")
	}
	want := `f.yaml:5:30: upstreams.api.headers.Authorization: ${API_TOKEN} is not set; export it or write ${API_TOKEN:-default}
f.yaml:7:33: operation.calls[0].path: ${1P}: "1P" is not a variable name, which is letters, digits and _, not starting with a digit; write ${NAME} or ${NAME:-default}, or $$ for a literal $
f.yaml:8:22: strategies[1]: "${STRAT" has no closing }; write ${NAME} or ${NAME:-default}, or $$ for a literal $
f.yaml:9:14: load.rate: "[redacted]" is not a rate; write it as a number per unit, like 500/s or 30/m`
	if got := err.Error(); got != want {
		t.Errorf("Parse error:\n%s\nwant:\n%s", got, want)
	}
}

func TestParseUpstreamsExpands(t *testing.T) {
	t.Parallel()
	src := "upstreams:\n  api: {mock: {latency: \"${LAT:-5ms}\"}}\n  b: {mock: {latency: \"${MISSING}\"}}\n"
	_, err := ParseUpstreams("m.yaml", []byte(src), WithEnv(mapEnv(nil)))
	want := "m.yaml:3:23: upstreams.b.mock.latency: ${MISSING} is not set; export it or write ${MISSING:-default}"
	if err == nil || err.Error() != want {
		t.Fatalf("ParseUpstreams error = %v, want %s", err, want)
	}
	f, err := ParseUpstreams("m.yaml", []byte(src), WithEnv(mapEnv(map[string]string{"MISSING": "7ms"})))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Upstreams[0].Mock.Latency.Value.D() + f.Upstreams[1].Mock.Latency.Value.D(); got != 12*time.Millisecond {
		t.Errorf("latencies add up to %v, want 12ms", got)
	}
}

// FuzzExpandEnv checks that no value makes the expander panic, that text
// without $ comes back as it is, and that text with every $ doubled comes
// back as it was before doubling.
func FuzzExpandEnv(f *testing.F) {
	for _, s := range []string{"", "plain", "${A}", "${B:-${A}}", "$$", "${", "${1}", "${A:-{x}}b}", "x${B:-${C:-$${D}}}y", "$", "${A-b}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		e := &envExpander{lookup: mapEnv(testEnv)}
		got, _ := e.expand(text)
		if !strings.Contains(text, "$") && (got != text || len(e.problems) > 0 || len(e.secrets) > 0) {
			t.Fatalf("expand(%q) = %q, problems %q, secrets %q; want it unchanged", text, got, e.problems, e.secrets)
		}
		e = &envExpander{lookup: mapEnv(testEnv)}
		if got, _ := e.expand(strings.ReplaceAll(text, "$", "$$")); got != text || len(e.problems) > 0 {
			t.Fatalf("expand of %q with $ doubled = %q, problems %q; want it back", text, got, e.problems)
		}
	})
}
