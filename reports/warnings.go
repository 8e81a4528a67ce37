package reports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"

	"github.com/fanbench/fanbench/metrics"
)

// Warnings lists what makes r's figures doubtful: the run's own warnings
// (the generator fell behind, operations dropped or cut off, the run
// interrupted), then the calls a queued strategy left undelivered, which
// the run records as a count rather than a warning. Every renderer shows
// the same list.
func Warnings(r *metrics.Result) []string {
	w := slices.Clone(r.Warnings)
	for _, s := range r.Strategies {
		q := s.Queue
		if q == nil || q.Undelivered == 0 {
			continue
		}
		said := slices.ContainsFunc(w, func(x string) bool {
			return strings.HasPrefix(x, s.Name+":") && strings.Contains(x, "undelivered")
		})
		if !said {
			w = append(w, fmt.Sprintf("%s: %d calls were still undelivered when the drain deadline passed (acked %d operations, delivered %d)",
				s.Name, q.Undelivered, q.Acked, q.Delivered))
		}
	}
	return w
}

// warningsWidth is the width the wide tables keep to, and the warnings'
// box with them.
const warningsWidth = 116

// warningsBlock boxes the warnings in double lines, in bold yellow on a
// terminal, so they are not lost under the tables; nil when there are none.
func warningsBlock(r *metrics.Result, o TableOptions) table.Writer {
	warns := Warnings(r)
	if len(warns) == 0 {
		return nil
	}
	t := table.NewWriter()
	t.SetStyle(table.StyleDouble)
	t.Style().Format.Header = text.FormatDefault
	noun := "WARNING"
	if len(warns) > 1 {
		noun = fmt.Sprintf("%d WARNINGS", len(warns))
	}
	t.AppendHeader(table.Row{noun + ": read the figures above with care"})
	for _, w := range warns {
		// Wrapped here rather than by the table, to indent the lines after
		// the first under the text instead of under the mark.
		width := warningsWidth
		if !o.Wide {
			width = min(width, o.Width-4) // the box's borders and padding
		}
		lines := strings.Split(text.WrapSoft(w, width-2), "\n")
		for i := range lines {
			lines[i] = "  " + strings.TrimRight(lines[i], " ")
		}
		lines[0] = "!" + lines[0][1:]
		t.AppendRow(table.Row{strings.Join(lines, "\n")})
	}
	cc := table.ColumnConfig{Number: 1}
	if o.Color {
		cc.Colors = text.Colors{text.FgHiYellow, text.Bold}
		cc.ColorsHeader = text.Colors{text.FgHiYellow, text.Bold}
	}
	t.SetColumnConfigs([]table.ColumnConfig{cc})
	return t
}
