package strictyaml

import (
	"strings"
	"testing"

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

// Keys are never expanded: they are the format's spelling, not values.
func TestExpandLeavesKeys(t *testing.T) {
	t.Parallel()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("${A}: ${A}\n? [\"${A}\"]\n: {\"${A}\": [\"${A}\"]}\n"), &doc); err != nil {
		t.Fatal(err)
	}
	d := New("f.yaml")
	d.ExpandEnv(&doc, mapEnv(testEnv))
	out, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	want := "${A}: alpha\n? [\"${A}\"]\n: {\"${A}\": [\"alpha\"]}\n"
	if string(out) != want || len(d.Errs) > 0 {
		t.Errorf("expanded document:\n%s(errors %v)\nwant:\n%s", out, d.Errs, want)
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
