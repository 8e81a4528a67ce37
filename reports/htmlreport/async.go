package htmlreport

import (
	"fmt"
	"slices"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/reports"
)

// asyncSection sets each asynchronous upstream's 202 beside its
// completion, and counts the callbacks; none when the run made no
// asynchronous call.
func asyncSection(r *metrics.Result, col colours) (*section, error) {
	if !reports.HasAsync(r) {
		return nil, nil
	}
	s := &section{ID: "async", Title: "Asynchronous calls",
		Intro: "Calls answered 202 Accepted that finished later, by a signed callback or a polled status URL. " +
			"Their latency runs until the work was done: that completion is what every figure of this report, the verdict and the thresholds judge. " +
			"The 202 is what a caller that did not wait would have seen."}
	var grid []*chart
	for _, q := range []struct {
		id, label string
		get       func(metrics.Summary) float64
	}{
		{"chart-async-p50", "p50", func(l metrics.Summary) float64 { return l.P50 }},
		{"chart-async-p99", "p99", func(l metrics.Summary) float64 { return l.P99 }},
	} {
		c, err := acceptedCompletion(q.id, q.label, q.get, r.Strategies, col)
		if err != nil {
			return nil, err
		}
		if c != nil {
			grid = append(grid, c)
		}
	}
	s.addGrid(grid...)
	s.Blocks = append(s.Blocks, block{Table: asyncTable(r.Strategies, col)})
	if t := callbacksTable(r.Strategies, col); t != nil {
		s.Blocks = append(s.Blocks, block{Table: t})
	}
	return s, nil
}

// asyncUpstreamNames lists the asynchronous upstreams in the order the strategies
// name them.
func asyncUpstreamNames(ss []metrics.StrategyResult) []string {
	var names []string
	for _, s := range ss {
		for _, u := range reports.AsyncUpstreams(s) {
			if !slices.Contains(names, u.Name) {
				names = append(names, u.Name)
			}
		}
	}
	return names
}

// acceptedCompletion draws, per asynchronous upstream, each strategy's 202
// (lighter, dashed) beside its completion (solid) at one percentile.
func acceptedCompletion(id, label string, get func(metrics.Summary) float64, ss []metrics.StrategyResult, col colours) (*chart, error) {
	names := asyncUpstreamNames(ss)
	if len(names) == 0 {
		return nil, nil
	}
	bar := charts.NewBar()
	bar.SetXAxis(names)
	var all []float64
	var faint []int
	for _, s := range ss {
		us := reports.AsyncUpstreams(s)
		if len(us) == 0 {
			continue
		}
		acc, done := make([]opts.BarData, len(names)), make([]opts.BarData, len(names))
		for i, n := range names {
			acc[i], done[i] = opts.BarData{Value: nil}, opts.BarData{Value: nil}
			for _, u := range us {
				if u.Name != n {
					continue
				}
				if u.Accepted != nil {
					v := get(*u.Accepted)
					acc[i] = opts.BarData{Value: v}
					all = append(all, v)
				}
				v := get(u.Latency)
				done[i] = opts.BarData{Value: v}
				all = append(all, v)
			}
		}
		faint = append(faint, len(faint)*2)
		bar.AddSeries(s.Name+" 202", acc, barStyle(col.of(s.Name), true))
		bar.AddSeries(s.Name+" completion", done, barStyle(col.of(s.Name), false))
	}
	how := fmt.Sprintf("The %s of each asynchronous upstream's calls. Lighter, dashed: the 202 Accepted. Solid: the completion, from the call's first send until its callback came or a poll said done.", label)
	c, err := msBars(id, "The 202 against the completion, "+label, how, "latency", "Log scale.", bar, all)
	if err != nil {
		return nil, err
	}
	return c, c.dashBorders(faint)
}

// asyncTable lists each strategy's asynchronous upstreams: the 202 and
// the completion, the calls that missed their deadline, the polls.
func asyncTable(ss []metrics.StrategyResult, col colours) *table {
	t := &table{Caption: "The 202 against the completion", Head: []string{"strategy", "upstream", "calls",
		"202 p50", "202 p99", "completion p50", "completion p99", "incomplete", "polls per call"}}
	for _, s := range ss {
		for _, u := range reports.AsyncUpstreams(s) {
			var acc metrics.Summary
			if u.Accepted != nil {
				acc = *u.Accepted
			}
			inc := num(count(u.Statuses["incomplete"]))
			if u.Statuses["incomplete"] > 0 {
				inc.Class += " fail"
			}
			t.Rows = append(t.Rows, []cell{{Text: s.Name, Swatch: col.of(s.Name)}, {Text: u.Name}, num(count(u.Calls)),
				num(msText(acc.P50)), num(msText(acc.P99)), num(msText(u.Latency.P50)), num(msText(u.Latency.P99)),
				inc, num(reports.PollsPerCall(u))})
		}
	}
	t.Note = "Incomplete: accepted, but no completion came by the call's deadline (a lost callback, a status that never said done); each costs the whole deadline."
	return t
}

// callbacksTable counts what each strategy's webhook receiver took, and
// what the mocks sent; nil when no call completed by callback.
func callbacksTable(ss []metrics.StrategyResult, col colours) *table {
	t := &table{Caption: "Callbacks", Head: append([]string{"strategy"}, reports.CallbackColumns...)}
	for _, s := range ss {
		if s.Callbacks == nil {
			continue
		}
		row := []cell{{Text: s.Name, Swatch: col.of(s.Name)}}
		for i, n := range reports.CallbackCounts(s.Callbacks) {
			c := num(count(n))
			if name := reports.CallbackColumns[i]; n > 0 && (name == "bad signature" || name == "stale (replay)" || name == "malformed") {
				c.Class += " fail"
			}
			row = append(row, c)
		}
		t.Rows = append(t.Rows, row)
	}
	if len(t.Rows) == 0 {
		return nil
	}
	t.Note = "Sent, lost and late are the mock upstreams' own counts (none for a real upstream); the rest are fanbench's webhook receiver's, " +
		"where each event ends as one of completed, duplicates (an event id seen before: acknowledged, never applied twice), " +
		"unmatched (no call waiting: past its deadline), bad signature, stale (its timestamp out of tolerance: a replay) or malformed."
	return t
}
