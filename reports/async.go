package reports

import (
	"fmt"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"

	"github.com/fanbench/fanbench/metrics"
)

// HasAsync reports whether a run made asynchronous calls (answered 202,
// then completed by a callback or a poll): only then do the reports show
// the 202s' latency and the callbacks.
func HasAsync(r *metrics.Result) bool {
	for _, s := range r.Strategies {
		if s.Callbacks != nil || len(AsyncUpstreams(s)) > 0 {
			return true
		}
	}
	return false
}

// AsyncUpstreams are the upstreams of s whose calls were asynchronous:
// answered 202 (their Accepted latency) or polled. Their Latency runs to
// the completion.
func AsyncUpstreams(s metrics.StrategyResult) []metrics.UpstreamResult {
	var out []metrics.UpstreamResult
	for _, u := range s.Upstreams {
		if u.Accepted != nil || u.Polls > 0 {
			out = append(out, u)
		}
	}
	return out
}

// PollsPerCall is the status requests per call of u, as "2.9"; "–" when
// none was polled.
func PollsPerCall(u metrics.UpstreamResult) string {
	if u.Calls == 0 || u.Polls == 0 {
		return "–"
	}
	return f1(float64(u.Polls) / float64(u.Calls))
}

// accepted is u's 202 latency summary; zero when none was answered 202.
func accepted(u metrics.UpstreamResult) metrics.Summary {
	if u.Accepted == nil {
		return metrics.Summary{}
	}
	return *u.Accepted
}

// callbackFields are the counts of Callbacks as the reports show them,
// in order: a label for tables, a key for CSV (callbacks_KEY).
var callbackFields = []struct {
	label, key string
	get        func(*metrics.Callbacks) uint64
}{
	{"sent", "sent", func(c *metrics.Callbacks) uint64 { return c.Sent }},
	{"received", "received", func(c *metrics.Callbacks) uint64 { return c.Received }},
	{"completed", "completed", func(c *metrics.Callbacks) uint64 { return c.Completed }},
	{"duplicates", "duplicates", func(c *metrics.Callbacks) uint64 { return c.Duplicates }},
	{"unmatched", "unmatched", func(c *metrics.Callbacks) uint64 { return c.Unmatched }},
	{"bad signature", "bad_signature", func(c *metrics.Callbacks) uint64 { return c.BadSignature }},
	{"stale (replay)", "stale", func(c *metrics.Callbacks) uint64 { return c.Stale }},
	{"malformed", "malformed", func(c *metrics.Callbacks) uint64 { return c.Malformed }},
	{"lost", "lost", func(c *metrics.Callbacks) uint64 { return c.Lost }},
	{"late", "late", func(c *metrics.Callbacks) uint64 { return c.Late }},
}

// CallbackColumns name the receiver's and the mocks' counts, as the
// reports show them, in order; CallbackCounts gives the values.
var CallbackColumns = func() []string {
	out := make([]string, len(callbackFields))
	for i, f := range callbackFields {
		out[i] = f.label
	}
	return out
}()

// CallbackCounts are c's counts in CallbackColumns' order. sent, lost and
// late are the mocks' own counts (zero for a real upstream); the others
// are the receiver's.
func CallbackCounts(c *metrics.Callbacks) []uint64 {
	out := make([]uint64, len(callbackFields))
	for i, f := range callbackFields {
		out[i] = f.get(c)
	}
	return out
}

// asyncNote says how to read the asynchronous figures.
const asyncNote = "accepted: the 202's latency, what a caller that does not wait for the work would see; " +
	"completion: until the callback came or a poll said done, the latency that every figure, the verdict and the thresholds use"

// asyncColumn is a column of the asynchronous calls' table, dropped in
// the order of drop (0: never) when the terminal is too narrow.
type asyncColumn struct {
	head string
	cell func(u metrics.UpstreamResult) any
	drop int
}

var asyncColumns = []asyncColumn{
	{"calls", func(u metrics.UpstreamResult) any { return u.Calls }, 1},
	{"accepted\np50 (ms)", func(u metrics.UpstreamResult) any { return ms(accepted(u).P50) }, 0},
	{"accepted\np99 (ms)", func(u metrics.UpstreamResult) any { return ms(accepted(u).P99) }, 4},
	{"completion\np50 (ms)", func(u metrics.UpstreamResult) any { return ms(u.Latency.P50) }, 0},
	{"completion\np99 (ms)", func(u metrics.UpstreamResult) any { return ms(u.Latency.P99) }, 5},
	{"incomplete", func(u metrics.UpstreamResult) any { return u.Statuses[incomplete] }, 3},
	{"polls\nper call", func(u metrics.UpstreamResult) any { return PollsPerCall(u) }, 2},
}

// asyncTable shows each asynchronous upstream's 202 beside its
// completion, per strategy, fitted to o.Width; nil when the run made no
// asynchronous call.
func asyncTable(r *metrics.Result, o TableOptions) table.Writer {
	if !HasAsync(r) {
		return nil
	}
	drops := make([]int, len(asyncColumns))
	for i, c := range asyncColumns {
		drops[i] = c.drop
	}
	return fitColumns(drops, o.Width, func(keep []bool) table.Writer { return renderAsync(r, o, keep) })
}

func renderAsync(r *metrics.Result, o TableOptions, keep []bool) table.Writer {
	t := newTable(o)
	head := table.Row{"strategy", "upstream"}
	for i, c := range asyncColumns {
		if keep[i] {
			head = append(head, c.head)
		}
	}
	t.AppendHeader(head)
	rows := 0
	for i, s := range r.Strategies {
		us := AsyncUpstreams(s)
		if i > 0 && len(us) > 0 && rows > 0 {
			t.AppendSeparator()
		}
		for j, u := range us {
			name := s.Name
			if j > 0 {
				name = ""
			}
			row := table.Row{name, u.Name}
			for k, c := range asyncColumns {
				if keep[k] {
					row = append(row, c.cell(u))
				}
			}
			t.AppendRow(row)
			rows++
		}
	}
	if rows == 0 {
		return nil
	}
	t.SetColumnConfigs(rightAligned(3, len(head)))
	t.SetCaption("%s", wrap(asyncNote, o.Width))
	return t
}

// callbacksTable shows what each strategy's webhook receiver took, a
// column per strategy (so that it fits the terminal); nil when no call
// completed by callback.
func callbacksTable(r *metrics.Result, o TableOptions) table.Writer {
	var ss []metrics.StrategyResult
	for _, s := range r.Strategies {
		if s.Callbacks != nil {
			ss = append(ss, s)
		}
	}
	if len(ss) == 0 {
		return nil
	}
	t := newTable(o)
	head := table.Row{"callbacks"}
	for _, s := range ss {
		head = append(head, s.Name)
	}
	t.AppendHeader(head)
	counts := make([][]uint64, len(ss))
	for i, s := range ss {
		counts[i] = CallbackCounts(s.Callbacks)
	}
	for k, name := range CallbackColumns {
		row := table.Row{name}
		for i := range ss {
			row = append(row, counts[i][k])
		}
		t.AppendRow(row)
	}
	t.SetColumnConfigs(rightAligned(2, len(head)))
	t.SetCaption("%s", wrap(callbacksNote, o.Width))
	return t
}

// callbacksNote says where each callback count comes from.
const callbacksNote = "callbacks: sent, lost and late by the mock upstreams; the rest by fanbench's webhook receiver, " +
	"where each event ends as one of completed, duplicates (an event id seen before: acknowledged, never applied twice), " +
	"unmatched (no call waiting: past its deadline), bad signature, stale (timestamp out of tolerance) or malformed"

// incomplete is the answers key of the calls whose completion missed the
// deadline.
const incomplete = "incomplete"

// mdAsync writes the asynchronous calls and the callbacks, when the run
// made any.
func mdAsync(b *strings.Builder, r *metrics.Result) {
	if !HasAsync(r) {
		return
	}
	b.WriteString("#### Asynchronous calls: the 202 against the completion\n\n")
	mdHeader(b, "llrrrrrrr", "strategy", "upstream", "calls", "accepted (202) p50 (ms)", "accepted (202) p99 (ms)",
		"completion p50 (ms)", "completion p99 (ms)", "incomplete", "polls per call")
	for _, s := range r.Strategies {
		for _, u := range AsyncUpstreams(s) {
			a := accepted(u)
			mdRow(b, mdText(s.Name), mdText(u.Name), fmt.Sprint(u.Calls), ms(a.P50), ms(a.P99), ms(u.Latency.P50), ms(u.Latency.P99),
				fmt.Sprint(u.Statuses[incomplete]), PollsPerCall(u))
		}
	}
	fmt.Fprintf(b, "\n_%s._\n\n", mdText(asyncNote))
	align := "l" + strings.Repeat("r", len(CallbackColumns))
	rows := 0
	for _, s := range r.Strategies {
		if s.Callbacks == nil {
			continue
		}
		if rows == 0 {
			mdHeader(b, align, append([]string{"strategy"}, CallbackColumns...)...)
		}
		cells := []string{mdText(s.Name)}
		for _, v := range CallbackCounts(s.Callbacks) {
			cells = append(cells, fmt.Sprint(v))
		}
		mdRow(b, cells...)
		rows++
	}
	if rows > 0 {
		fmt.Fprintf(b, "\n_%s._\n\n", mdText(callbacksNote))
	}
}
