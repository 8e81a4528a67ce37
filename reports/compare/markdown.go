package compare

import (
	"fmt"
	"io"
	"strings"
)

// Markdown writes the comparison for a pull-request comment: the verdict
// in one line, the table, the notes and how it was decided.
func Markdown(w io.Writer, c *Comparison) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### fanbench compare: %s\n\n", mdEscape(c.Scenario))
	mark := "✅"
	if c.Regressed {
		mark = "❌"
	}
	fmt.Fprintf(&b, "%s **%s**\n\n", mark, mdEscape(Headline(c)))
	b.WriteString("| strategy | metric | baseline | current | change | tolerance | p | verdict |\n")
	b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | :---: |\n")
	for _, s := range c.Strategies {
		for _, m := range s.Metrics {
			verdict := string(m.Verdict)
			switch {
			case m.Regression:
				verdict = "**worse**"
			case verdict == "~":
				verdict = `\~`
			}
			if m.Note != "" {
				verdict += " <sup>" + mdEscape(m.Note) + "</sup>"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | ±%s | %s | %s |\n", mdEscape(s.Name), label(m.Metric),
				value(m.Baseline, m.Unit), value(m.Current, m.Unit), changeText(m), m.Tolerance, pValue(m.P), verdict)
		}
	}
	b.WriteString("\n")
	for _, n := range c.Notes {
		b.WriteString("- " + mdEscape(n) + "\n")
	}
	if len(c.Notes) > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "<sub>%s. Baseline: %s; current: %s.</sub>\n", mdEscape(method(c)),
		mdEscape(strings.Join(c.Baseline.Files, ", ")), mdEscape(strings.Join(c.Current.Files, ", ")))
	_, err := io.WriteString(w, b.String())
	return err
}

// mdEscape keeps user text (strategy labels, file names) from breaking
// the table or turning into markup.
var mdReplacer = strings.NewReplacer(`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;", "\n", " ")

func mdEscape(s string) string { return mdReplacer.Replace(s) }
