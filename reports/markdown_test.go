package reports

import (
	"bytes"
	"strings"
	"testing"
)

// Names from the scenario cannot open HTML, links, code, emphasis, lists
// or table cells, nor mention anyone.
func TestMarkdownEscapesNames(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := Markdown(&buf, hostile(t)); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{
		`### fanbench: \<script\>alert(1)\</script\> \| \*x\*`,
		`| 1\. fan\|out \# h |`,
		`\@team \[a\](b) \` + "`c\\`",
		`> - \- \<b\>dropped\</b\> \| \& more`,
		`| ✅ | 1\. fan\|out \# h | p99 \< 350ms | 302.1 ms |`,
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	for _, bad := range []string{"<script>", "<b>", "\n# h"} {
		if strings.Contains(md, bad) {
			t.Errorf("Markdown holds %q unescaped:\n%s", bad, md)
		}
	}
	// Every row of the summary table has as many cells as its header.
	var header int
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "| ") {
			header = 0
			continue
		}
		cells := len(strings.Split(strings.ReplaceAll(line, `\|`, ""), "|"))
		if header == 0 {
			header = cells
		} else if cells != header {
			t.Errorf("row with %d cells under a header of %d: %s", cells, header, line)
		}
	}
}

func TestMarkdownText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"fanout", "fanout"},
		{"pooled-4", "pooled-4"},
		{"a|b", `a\|b`},
		{"<img src=x>", `\<img src=x\>`},
		{"- item", `\- item`},
		{"12. step", `12\. step`},
		{"1.5 s", "1.5 s"},
		{"line\nbreak", "line break"},
		{`back\slash`, `back\\slash`},
		{"&amp;", `\&amp;`},
	} {
		if got := mdText(tc.in); got != tc.want {
			t.Errorf("mdText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzMarkdownText checks that any text comes out on one line, with every
// active character escaped, and reads back as the text itself.
func FuzzMarkdownText(f *testing.F) {
	for _, s := range []string{"", "fanout", "<script>|*_`", "1. a\n- b", `\\`, "# x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := mdText(s)
		if strings.ContainsAny(got, "\n\r") {
			t.Fatalf("mdText(%q) = %q spans lines", s, got)
		}
		var back strings.Builder
		for i := 0; i < len(got); i++ {
			c := got[i]
			if c == '\\' && i+1 < len(got) {
				i++
				back.WriteByte(got[i])
				continue
			}
			if strings.IndexByte(mdActive, c) >= 0 {
				t.Fatalf("mdText(%q) = %q leaves %q unescaped at %d", s, got, c, i)
			}
			back.WriteByte(c)
		}
		want := strings.NewReplacer("\n", " ", "\r", " ", "\t", " ").Replace(s)
		if back.String() != want && strings.ToValidUTF8(want, "\uFFFD") == want {
			t.Fatalf("mdText(%q) = %q reads back as %q", s, got, back.String())
		}
	})
}
