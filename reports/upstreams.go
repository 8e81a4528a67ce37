package reports

import (
	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"

	"github.com/fanbench/fanbench/metrics"
)

// answersWidth wraps the answers column, the one that grows with the
// number of distinct statuses, so the table keeps its width.
const answersWidth = 36

// upstreamTable shows each strategy's calls to each upstream, grouped by
// strategy: the calls, the requests they took, the 429s and breaker
// refusals met, the call latency (retries and backoffs included; its
// p99.9 is in the result file) and the final statuses.
func upstreamTable(r *metrics.Result, o TableOptions) table.Writer {
	t := newTable(o)
	t.AppendHeader(table.Row{"strategy", "upstream", "calls", "attempts", "retries", "429s\nreceived", "breaker\nrefusals",
		"p50\n(ms)", "p90\n(ms)", "p99\n(ms)", "max\n(ms)", "answers\n(calls by final status)"})
	rows := 0
	for i, s := range r.Strategies {
		if i > 0 && len(s.Upstreams) > 0 && rows > 0 {
			t.AppendSeparator()
		}
		for j, u := range s.Upstreams {
			name := s.Name
			if j > 0 {
				name = ""
			}
			l := u.Latency
			t.AppendRow(table.Row{name, u.Name, u.Calls, u.Attempts, u.Retries, u.Responses429, u.Statuses[breakerOpen],
				ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max), statuses(u.Statuses)})
			rows++
		}
	}
	if rows == 0 {
		return nil
	}
	cc := rightAligned(3, 11)
	cc = append(cc, table.ColumnConfig{Number: 12, WidthMax: answersWidth, WidthMaxEnforcer: text.WrapSoft})
	t.SetColumnConfigs(cc)
	return t
}
