package compare

import (
	"fmt"
	"io"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"
)

// Table writes the comparison as a terminal table, then the notes and the
// verdict line. Every number carries its unit.
func Table(w io.Writer, c *Comparison) error {
	var b strings.Builder
	fmt.Fprintf(&b, "fanbench compare · scenario %q · baseline %s · current %s\n", c.Scenario,
		strings.Join(c.Baseline.Files, ", "), strings.Join(c.Current.Files, ", "))
	t := table.NewWriter()
	t.SetStyle(table.StyleLight)
	t.Style().Format.Header = text.FormatDefault
	t.AppendHeader(table.Row{"strategy", "metric", "baseline", "current", "change", "tolerance", "p", "verdict", "note"})
	for i, s := range c.Strategies {
		if i > 0 {
			t.AppendSeparator()
		}
		for j, m := range s.Metrics {
			name := ""
			if j == 0 {
				name = s.Name
			}
			t.AppendRow(table.Row{name, labelFor(s, m.Metric), value(m.Baseline, m.Unit), value(m.Current, m.Unit),
				changeText(m), "±" + m.Tolerance.String(), PValue(m.P), cellVerdict(m), m.Note})
		}
	}
	cc := []table.ColumnConfig{}
	for n := 3; n <= 7; n++ {
		cc = append(cc, table.ColumnConfig{Number: n, Align: text.AlignRight, AlignHeader: text.AlignRight})
	}
	t.SetColumnConfigs(cc)
	b.WriteString(t.Render())
	b.WriteString("\n" + Method(c) + ".\n")
	if d := deliveryNote(c); d != "" {
		b.WriteString(d + "\n")
	}
	for _, e := range c.EnvironmentDifferences {
		b.WriteString("environment: " + e + "\n")
	}
	for _, n := range c.Notes {
		b.WriteString("note: " + n + "\n")
	}
	verdict := "verdict: " + Headline(c)
	if c.Regressed {
		verdict = "verdict: REGRESSION: " + Headline(c)
	}
	b.WriteString(verdict + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}
