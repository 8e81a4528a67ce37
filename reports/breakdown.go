package reports

import (
	"github.com/jedib0t/go-pretty/v6/table"

	"github.com/fanbench/fanbench/metrics"
)

// breakdownTable shows where each upstream's calls spent their time, when
// the run traced its requests (--breakdown): connections opened and
// reused, then the p50 and p99 of each phase in ms, over the calls in
// which it took place; nil without a breakdown.
func breakdownTable(r *metrics.Result, o TableOptions) table.Writer {
	t := newTable(o)
	t.AppendHeader(table.Row{"strategy", "upstream", "new\nconns", "reused\nconns", "DNS p50/p99\n(ms)", "connect p50/p99\n(ms)",
		"TLS p50/p99\n(ms)", "first byte p50/p99\n(ms)", "body p50/p99\n(ms)"})
	rows := 0
	for i, s := range r.Strategies {
		first := true
		for _, u := range s.Upstreams {
			b := u.Breakdown
			if b == nil {
				continue
			}
			if first && i > 0 && rows > 0 {
				t.AppendSeparator()
			}
			name := s.Name
			if !first {
				name = ""
			}
			first = false
			t.AppendRow(table.Row{name, u.Name, b.NewConnections, b.ReusedConnections,
				phase(b.DNS), phase(b.Connect), phase(b.TLS), phase(b.TTFB), phase(b.Body)})
			rows++
		}
	}
	if rows == 0 {
		return nil
	}
	t.SetColumnConfigs(rightAligned(3, 9))
	t.SetCaption("where the time went, per call (the request whose answer it took); a phase over the calls in which it took place")
	return t
}

// Phase shows a phase of a breakdown as "p50 / p99" in ms, "–" when it
// never took place.
func Phase(s *metrics.Summary) string { return phase(s) }

func phase(s *metrics.Summary) string {
	if s == nil || s.Count == 0 {
		return "–"
	}
	return ms(s.P50) + " / " + ms(s.P99)
}
