package strictyaml

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

type doc struct {
	Name string            `yaml:"name"`
	Load map[string]string `yaml:"load"`
	List []string          `yaml:"list"`
	Deep [][][][][]int     `yaml:"deep"`
}

// decode decodes src as a file d.yaml and returns its errors as text.
func decode(src string) string {
	d := New("d.yaml")
	d.IgnorePrefix = "x-"
	if root := d.Document([]byte(src), "it needs a name", reflect.TypeFor[doc]()); root != nil {
		var v doc
		d.Struct(root, reflect.ValueOf(&v).Elem(), "")
	}
	if err := d.Errs.Finish(); err != nil {
		return err.Error()
	}
	return ""
}

// TestSyntaxErrorColumns: a syntax error is placed where the parser found
// it, with its column, not at the line of the block around it, and names
// that block when it starts elsewhere.
func TestSyntaxErrorColumns(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ src, want string }{
		{"name: x\nload:\n  rate: 1/s\n duration: 2s\n",
			"d.yaml:4:2: invalid YAML: did not find expected key (in a block mapping that starts at line 1, column 1)"},
		{"name: x\nload:\n  rate: 1/s\n  duration: 2s: 3\n",
			"d.yaml:4:15: invalid YAML: mapping values are not allowed in this context"},
		{"name: x\nload:\n  rate: @1/s\n",
			"d.yaml:3:9: invalid YAML: found character that cannot start any token"},
		{"name: x\nlist: [a, b\nload: {}\n",
			"d.yaml:3:5: invalid YAML: did not find expected ',' or ']' (in a flow sequence that starts at line 2, column 7)"},
		{"name: x\nload:\n  rate: \"1/s\n",
			"d.yaml:4:1: invalid YAML: found unexpected end of stream (in a quoted string that starts at line 3, column 9)"},
		{"name: x\nload: {a: 1}}\n",
			"d.yaml:2:13: invalid YAML: did not find expected key"},
	} {
		if got := decode(tt.src); !strings.HasPrefix(got, tt.want) {
			t.Errorf("decode(%q):\n got: %s\nwant: %s", tt.src, got, tt.want)
		}
	}
}

// TestDocumentBudgets: a file of many small values is refused before the
// parser builds its tree, and the decoder's budget of expanded values
// blames aliases only when some were expanded.
func TestDocumentBudgets(t *testing.T) {
	t.Parallel()
	many := "list: [" + strings.Repeat("0,", maxSeparators) + "0]\n"
	if got := decode(many); !strings.Contains(got, "d.yaml:1:1: the file has 200003 line breaks, commas, colons, dashes and brackets, more than the 200000") {
		t.Errorf("a file of %d values: %.200s", maxSeparators, got)
	}
	var b strings.Builder
	b.WriteString("load:\n")
	for i := range maxNodes/2 + 10 {
		b.WriteString("  k" + strconv.Itoa(i) + ": v\n")
	}
	if got := decode(b.String()); !strings.Contains(got, "the document holds more than 100000 values (keys, values and list items), the most fanbench reads") ||
		strings.Contains(got, "alias") {
		t.Errorf("a mapping of %d keys: %.300s", maxNodes/2+10, got)
	}
	bomb := "x-a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nx-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nx-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
		"x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ndeep: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	if got := decode(bomb); !strings.Contains(got, "counting each alias as the values it repeats") {
		t.Errorf("an alias bomb: %.300s", got)
	}
}
