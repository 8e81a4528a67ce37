package compare

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Markdown writes the comparison for a pull-request comment, verdict
// first: a heading with the verdict, every change that counts (none
// left out), a line when the runs' environments differ, the table of the
// regressions and improvements, the unchanged metrics folded away, then
// the notes and how it was decided. Files are named by their base names:
// a comment shows no local paths.
func Markdown(w io.Writer, c *Comparison) error {
	var b strings.Builder
	clean := pathCleaner(c)
	worse, better := Changes(c)
	mark, verdict := "✅", "no significant change"
	switch {
	case len(worse) > 0:
		mark, verdict = "❌", count(len(worse), "regression")
	case len(better) > 0:
		verdict = "no regression, " + count(len(better), "improvement")
	}
	fmt.Fprintf(&b, "### %s fanbench compare · %s: %s\n\n", mark, mdEscape(c.Scenario), verdict)
	for _, line := range append(worse, better...) {
		b.WriteString("- " + mdEscape(line) + "\n")
	}
	if len(worse)+len(better) > 0 {
		b.WriteString("\n")
	}
	if len(c.EnvironmentDifferences) > 0 {
		fmt.Fprintf(&b, "> ⚠️ **Read with care**: %s.\n\n", mdEscape(clean(strings.Join(c.EnvironmentDifferences, "; "))))
	}
	var changed, same []row
	for _, s := range c.Strategies {
		for _, m := range s.Metrics {
			r := row{s, m}
			if m.Verdict == Same {
				same = append(same, r)
			} else {
				changed = append(changed, r)
			}
		}
	}
	// Regressions first, then improvements; each in the order compared.
	var ordered []row
	for _, want := range []Verdict{Worse, Better} {
		for _, r := range changed {
			if r.m.Verdict == want {
				ordered = append(ordered, r)
			}
		}
	}
	if len(ordered) > 0 {
		writeRows(&b, ordered)
		b.WriteString("\n")
	}
	if len(same) > 0 {
		fmt.Fprintf(&b, "<details><summary>%s with no significant change</summary>\n\n", count(len(same), "metric"))
		writeRows(&b, same)
		b.WriteString("\n</details>\n\n")
	}
	if d := deliveryNote(c); d != "" {
		b.WriteString(mdEscape(d) + "\n\n")
	}
	for _, n := range c.Notes {
		b.WriteString("- " + mdEscape(clean(n)) + "\n")
	}
	if len(c.Notes) > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "<sub>%s. Baseline: %s; current: %s.</sub>\n", mdEscape(Method(c)),
		mdEscape(strings.Join(baseNames(c.Baseline.Files), ", ")), mdEscape(strings.Join(baseNames(c.Current.Files), ", ")))
	_, err := io.WriteString(w, b.String())
	return err
}

// row is one metric of one strategy in a table.
type row struct {
	s StrategyComparison
	m MetricComparison
}

func writeRows(b *strings.Builder, rows []row) {
	b.WriteString("| strategy | metric | baseline | current | change | tolerance | p | verdict |\n")
	b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | :---: |\n")
	for _, r := range rows {
		m := r.m
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
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | ±%s | %s | %s |\n", mdEscape(r.s.Name), labelFor(r.s, m.Metric),
			value(m.Baseline, m.Unit), value(m.Current, m.Unit), changeText(m), m.Tolerance, PValue(m.P), verdict)
	}
}

// deliveryNote explains, when some strategy is judged by its delivery,
// what its latency and rates are of.
func deliveryNote(c *Comparison) string {
	var names []string
	for _, s := range c.Strategies {
		if s.JudgedBy == JudgedByDelivery {
			names = append(names, s.Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "Judged by delivery (" + strings.Join(names, ", ") + "): an async strategy answers its caller before the work is done, " +
		"so its latency runs from the intended start until the last call was delivered, and its error and partial rates count " +
		"the operations delivered in full."
}

// pathCleaner replaces the files' paths in a text with their base names.
func pathCleaner(c *Comparison) func(string) string {
	var pairs []string
	for _, f := range append(append([]string(nil), c.Baseline.Files...), c.Current.Files...) {
		if base := filepath.Base(f); base != f {
			pairs = append(pairs, f, base)
		}
	}
	r := strings.NewReplacer(pairs...)
	return r.Replace
}

func baseNames(files []string) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = filepath.Base(f)
	}
	return out
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// mdEscape keeps user text (strategy labels, file names) from breaking
// the table or turning into markup.
var mdReplacer = strings.NewReplacer(`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;", "\n", " ")

func mdEscape(s string) string { return mdReplacer.Replace(s) }
