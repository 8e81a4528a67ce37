package htmlreport

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/reports"
)

const rowHeight = 30

// upstreamSection shows the calls to each upstream, their latency and
// answers, and the requests each strategy sent per operation.
func upstreamSection(r *metrics.Result, col colours) (*section, error) {
	names := upstreamNames(r.Strategies)
	if len(names) == 0 {
		return nil, nil
	}
	s := &section{ID: "upstreams", Title: "Upstreams",
		Intro: "What each strategy asked of each upstream. Latency is per call: from its first attempt until its last answer, retries and their backoff included."}
	var grid []chart
	for _, q := range []struct {
		id, label string
		get       func(metrics.Summary) float64
	}{
		{"chart-upstream-p50", "p50", func(l metrics.Summary) float64 { return l.P50 }},
		{"chart-upstream-p99", "p99", func(l metrics.Summary) float64 { return l.P99 }},
	} {
		c, err := upstreamLatency(q.id, q.label, q.get, names, r.Strategies, col)
		if err != nil {
			return nil, err
		}
		grid = append(grid, *c)
	}
	s.Blocks = append(s.Blocks, block{Grid: grid})
	st, err := statusChart(r.Strategies)
	if err != nil {
		return nil, err
	}
	if st != nil {
		s.Blocks = append(s.Blocks, block{Chart: st})
	}
	s.Blocks = append(s.Blocks, block{Table: upstreamTable(r.Strategies, col)})
	if bt := breakdownTable(r.Strategies, col); bt != nil {
		s.Blocks = append(s.Blocks, block{Table: bt})
	}
	amp, err := amplificationChart(r.Strategies, col)
	if err != nil {
		return nil, err
	}
	if amp != nil {
		s.Blocks = append(s.Blocks, block{Chart: amp})
	}
	return s, nil
}

// upstreamNames lists the upstreams in the order the strategies name them.
func upstreamNames(ss []metrics.StrategyResult) []string {
	var names []string
	for _, s := range ss {
		for _, u := range s.Upstreams {
			if !slices.Contains(names, u.Name) {
				names = append(names, u.Name)
			}
		}
	}
	return names
}

func upstreamLatency(id, label string, get func(metrics.Summary) float64, names []string, ss []metrics.StrategyResult, col colours) (*chart, error) {
	bar := charts.NewBar()
	var all []float64
	bar.SetXAxis(names)
	for _, s := range ss {
		data := make([]opts.BarData, len(names))
		for i, n := range names {
			data[i] = opts.BarData{Value: nil}
			for _, u := range s.Upstreams {
				if u.Name == n && u.Calls > 0 {
					v := get(u.Latency)
					data[i] = opts.BarData{Value: v}
					all = append(all, v)
				}
			}
		}
		bar.AddSeries(s.Name, data, barStyle(col.of(s.Name), false))
	}
	how := fmt.Sprintf("The %s of each upstream's calls, one bar per strategy. A strategy that queues its calls (pooled) or retries more shows it here.", label)
	return msBars(id, "Call latency "+label+" per upstream", how, "latency", "Log scale.", bar, all)
}

// statusClass groups a call's final status for the breakdown: 2xx, 4xx,
// 429 and 5xx, or the failure kind of a call that got no answer.
func statusClass(status string) string {
	code, err := strconv.Atoi(status)
	if err != nil {
		return status
	}
	switch {
	case code == 429:
		return "429"
	case code >= 200 && code < 300:
		return "2xx"
	case code >= 300 && code < 400:
		return "3xx"
	case code >= 400 && code < 500:
		return "4xx"
	case code >= 500 && code < 600:
		return "5xx"
	}
	return status
}

var statusClassOrder = []string{"2xx", "3xx", "4xx", "429", "5xx", "incomplete", "timeout", "reset", "refused", "transport", "canceled", "breaker_open", "limited", "rejected", "skipped", "dead_letter"}

// statusChart draws each strategy's calls to each upstream as 100%, split
// by how they ended.
func statusChart(ss []metrics.StrategyResult) (*chart, error) {
	type row struct {
		label   string
		calls   uint64
		classes map[string]uint64
	}
	var rows []row
	present := map[string]bool{}
	for _, s := range ss {
		for _, u := range s.Upstreams {
			if u.Calls == 0 {
				continue
			}
			r := row{label: s.Name + " · " + u.Name, classes: map[string]uint64{}}
			for st, n := range u.Statuses {
				c := statusClass(st)
				r.classes[c] += n
				r.calls += n
				present[c] = true
			}
			if r.calls > 0 {
				rows = append(rows, r)
			}
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	order := slices.Clone(statusClassOrder)
	for _, c := range slices.Sorted(maps.Keys(present)) {
		if !slices.Contains(order, c) {
			order = append(order, c)
		}
	}
	bar := charts.NewBar()
	labels := make([]string, len(rows))
	for i, r := range rows {
		labels[len(rows)-1-i] = r.label // top to bottom in run order
	}
	bar.SetGlobalOptions(append(common(fmtPercent), shareAxes()...)...)
	bar.SetXAxis(labels)
	for _, c := range order {
		if !present[c] {
			continue
		}
		data := make([]opts.BarData, len(rows))
		for i, r := range rows {
			data[len(rows)-1-i] = opts.BarData{Value: round(float64(r.classes[c])*100/float64(r.calls), 2)}
		}
		bar.AddSeries(statusLabel(c), data, charts.WithBarChartOpts(opts.BarChart{Stack: "calls", BarWidth: "60%"}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: kindColour(c)}))
	}
	bar.XYReversal()
	how := "How each upstream's calls ended, as shares of its calls: the final answer after any retries, or why there was none. " +
		"Green is success; 429s are the upstream's rate limit; skipped and canceled calls are the strategy's choice."
	return newChart("chart-statuses", "Answers by status", how, 70+rowHeight*len(rows), bar)
}

// shareAxes lay out horizontal bars of shares: categories down the y axis,
// 0–100% along the x axis (Bar.XYReversal moves only the categories).
func shareAxes() []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Min: 0, Max: 100, AxisLabel: &opts.AxisLabel{Formatter: "{value} %", Color: textColour}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", AxisLabel: &opts.AxisLabel{Color: textColour}}),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis", ValueFormatter: fmtPercent, AxisPointer: &opts.AxisPointer{Type: "shadow"}}),
	}
}

func statusLabel(class string) string {
	switch class {
	case "breaker_open":
		return "breaker open"
	case "limited":
		return "rate-limited (client)"
	}
	return class
}

func upstreamTable(ss []metrics.StrategyResult, col colours) *table {
	t := &table{Caption: "Calls per upstream", Head: []string{"strategy", "upstream", "calls", "attempts", "retries", "429s received",
		"breaker refusals", "p50", "p99", "max", "answers (count by status)"}}
	for _, s := range ss {
		for _, u := range s.Upstreams {
			t.Rows = append(t.Rows, []cell{{Text: s.Name, Swatch: col.of(s.Name)}, {Text: u.Name},
				num(count(u.Calls)), num(count(u.Attempts)), num(count(u.Retries)), num(count(u.Responses429)),
				num(count(u.Statuses["breaker_open"])), num(msText(u.Latency.P50)), num(msText(u.Latency.P99)), num(msText(u.Latency.Max)),
				{Text: statuses(u.Statuses)}})
		}
	}
	var notes []string
	if causes := reports.FirstErrors(ss); len(causes) > 0 {
		notes = append(notes, "First error of each kind: "+strings.Join(causes, "; "))
	}
	if waits := reports.ConnWaits(ss); len(waits) > 0 {
		notes = append(notes, "Waits for a connection: "+strings.Join(waits, "; "))
	}
	t.Note = strings.Join(notes, ". ")
	return t
}

// statuses lists counts as "200×1990 503×10", statuses in numeric order
// and failure kinds after them, as in the terminal table.
func statuses(m map[string]uint64) string {
	keys := reports.StatusKeys(m)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%s", k, count(m[k]))
	}
	if len(parts) == 0 {
		return "–"
	}
	return strings.Join(parts, " ")
}

// amplificationChart draws the upstream requests each strategy sent per
// operation against the minimum of one per call.
func amplificationChart(ss []metrics.StrategyResult, col colours) (*chart, error) {
	var names []string
	var data []opts.BarData
	for _, s := range ss {
		if s.Amplification.Minimum == 0 {
			continue
		}
		names = append(names, s.Name)
		data = append(data, opts.BarData{Value: round(s.Amplification.Ratio, 3), ItemStyle: &opts.ItemStyle{Color: col.of(s.Name)}})
	}
	if len(data) == 0 {
		return nil, nil
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(common(fmtRatio),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Color: textColour}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Min: 0, AxisLabel: &opts.AxisLabel{Formatter: "{value}×", Color: textColour}}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}))...)
	bar.SetXAxis(names)
	bar.AddSeries("requests per operation", data, func(s *charts.SingleSeries) { s.BarMaxWidth = "56" },
		charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: "minimum", YAxis: 1}),
		charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"},
			LineStyle: &opts.LineStyle{Color: "#79706e", Type: "dashed"}, Label: &opts.Label{Show: opts.Bool(true), Formatter: "minimum 1×"}}),
		charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "top", Formatter: "{c}×", Color: textColour}))
	how := "Upstream requests sent per operation, against the minimum of one per call (dashed line at 1×): retries, hedges, redeliveries and compensations raise it. " +
		"Every request above 1× is load the upstreams carry for the strategy's sake."
	return newChart("chart-amplification", "Amplification: requests per operation", how, 260, bar)
}
