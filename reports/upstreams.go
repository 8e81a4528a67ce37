package reports

import (
	"fmt"
	"maps"
	"slices"
	"strings"

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
	var caption []string
	if causes := FirstErrors(r.Strategies); len(causes) > 0 {
		caption = append(caption, "first error of each kind:\n"+strings.Join(causes, "\n"))
	}
	if waits := ConnWaits(r.Strategies); len(waits) > 0 {
		caption = append(caption, strings.Join(waits, "\n"))
	}
	if len(caption) > 0 {
		t.SetCaption("%s", strings.Join(caption, "\n"))
	}
	return t
}

// ConnWaits lists, per strategy and upstream, the calls that waited for a
// connection at the upstream's max_conns: "fanout · a: 198 of 200 calls
// (99.0%) waited for a connection (max_conns), p50 1481.7 ms, p99 2961.4
// ms". Nil when no call waited. The three formats show it under their
// upstreams table.
func ConnWaits(ss []metrics.StrategyResult) []string {
	var out []string
	for _, s := range ss {
		for _, u := range s.Upstreams {
			if w := u.ConnWait; w != nil {
				out = append(out, fmt.Sprintf("%s · %s: %d of %d calls (%s) waited for a connection (max_conns), p50 %s ms, p99 %s ms",
					s.Name, u.Name, u.ConnWaited, u.Calls, pct(u.ConnWaited, u.Calls), ms(w.P50), ms(w.P99)))
			}
		}
	}
	return out
}

// maxCauses bounds the first errors shown under a table; the result file
// has them all.
const maxCauses = 12

// FirstErrors lists the first error of each kind of failure, per strategy
// and upstream, as "fanout · billing · tls: x509: certificate signed by
// unknown authority": what the counts of the answers column do not say.
func FirstErrors(ss []metrics.StrategyResult) []string {
	var out []string
	more := 0
	for _, s := range ss {
		for _, u := range s.Upstreams {
			for _, kind := range slices.Sorted(maps.Keys(u.FirstErrors)) {
				if len(out) == maxCauses {
					more++
					continue
				}
				out = append(out, fmt.Sprintf("%s · %s · %s: %s", s.Name, u.Name, kind, u.FirstErrors[kind]))
			}
		}
	}
	if more > 0 {
		out = append(out, fmt.Sprintf("and %d more in the result file (first_errors)", more))
	}
	return out
}
