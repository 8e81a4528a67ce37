package htmlreport

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/fanbench/fanbench/metrics"
)

const (
	timelineHeight = 340
	kindsHeight    = 240
	incidentShade  = "rgba(225, 87, 89, 0.10)"
)

// shadeIncidents marks the incident windows [from, to) on the chart's
// first series: a mark area spans the whole height whatever series it
// belongs to.
func shadeIncidents(incs []incident) charts.SeriesOpts {
	return func(s *charts.SingleSeries) {
		if len(incs) == 0 {
			return
		}
		areas := make([][]opts.MarkAreaData, len(incs))
		for i, inc := range incs {
			areas[i] = []opts.MarkAreaData{{Name: inc.label(), XAxis: inc.From}, {XAxis: inc.To}}
		}
		charts.WithMarkAreaData(areas...)(s)
		charts.WithMarkAreaStyleOpts(opts.MarkAreaStyle{
			ItemStyle: &opts.ItemStyle{Color: incidentShade},
			Label:     &opts.Label{Show: opts.Bool(true), Position: "insideTop", Color: "#b03a3a", FontSize: 11},
		})(s)
	}
}

func incidentNote(incs []incident) string {
	if len(incs) == 0 {
		return ""
	}
	return " Shaded: the scenario's incident windows, from each strategy's start."
}

// timelineSections show latency, throughput and errors over
// time; none when no strategy recorded its seconds.
func timelineSections(r *metrics.Result, col colours, incs []incident) ([]section, error) {
	var with []metrics.StrategyResult
	for _, s := range r.Strategies {
		if len(s.Windows) > 0 {
			with = append(with, s)
		}
	}
	if len(with) == 0 {
		return nil, nil
	}
	var out []section
	lat, err := latencyOverTime(with, col, incs)
	if err != nil {
		return nil, err
	}
	if lat != nil {
		out = append(out, soleChart("latency-over-time", lat))
	}
	tput, err := throughputOverTime(with, col, incs)
	if err != nil {
		return nil, err
	}
	blocks := []block{{Chart: tput}}
	kinds, err := failuresByKind(with, col, incs)
	if err != nil {
		return nil, err
	}
	if len(kinds) > 0 {
		blocks = append(blocks, block{Grid: kinds})
	}
	out = append(out, section{ID: "throughput", Title: "Throughput and errors over time", Blocks: blocks})
	return out, nil
}

// latencyOverTime draws p50 and p99 of the operations completed in each
// second.
func latencyOverTime(ss []metrics.StrategyResult, col colours, incs []incident) (*chart, error) {
	line := charts.NewLine()
	line.SetGlobalOptions(append(common(fmtMS),
		charts.WithXAxisOpts(secondsAxis()),
		charts.WithYAxisOpts(axis{Name: "latency", Suffix: "{value} ms"}.y()))...)
	var notes []string
	first := true
	var p50s []float64
	var acks []string
	for _, s := range ss {
		var p50, p99 []point
		for _, w := range s.Windows {
			if w.Completed == 0 {
				continue
			}
			p50 = append(p50, point{X: float64(w.AtS), Y: w.P50})
			p99 = append(p99, point{X: float64(w.AtS), Y: w.P99})
		}
		if len(p99) == 0 {
			continue
		}
		// The windows of an async strategy hold its acks, not its
		// delivery: drawn, labelled, but not left to choose the scale.
		label := s.Name
		if s.Queue != nil {
			label += " · ack"
			acks = append(acks, s.Name)
		} else {
			p50s = append(p50s, s.Latency.P50)
		}
		p99 = downsample(p99, label+" p99", &notes)
		p50 = downsample(p50, label+" p50", &notes)
		opt := []charts.SeriesOpts{lineStyle(col.of(s.Name), false, false)}
		if first {
			opt = append(opt, shadeIncidents(incs))
			first = false
		}
		line.AddSeries(label+" p99", lineData(p99), opt...)
		line.AddSeries(label+" p50", lineData(p50), lineStyle(col.of(s.Name), true, false))
	}
	if first {
		return nil, nil
	}
	if spread(p50s, 20) {
		line.SetGlobalOptions(charts.WithYAxisOpts(axis{Name: "latency", Suffix: "{value} ms", Log: true}.y()))
		notes = append(notes, "Latency on a log scale: the strategies differ by more than 20× at p50.")
	}
	how := "p99 (solid) and p50 (dashed) of the operations that completed in each second; a rising line is a strategy falling behind or an upstream slowing down." +
		incidentNote(incs) + " Per-second percentiles are within 6.25% (log buckets)."
	if len(acks) > 0 {
		how += " For " + strings.Join(acks, ", ") + ", the seconds hold the ack (what its caller waits), not the delivery: Queues and pools sets the two side by side."
	}
	return newChart("chart-latency-over-time", "Latency over time", how, timelineHeight, line, notes...)
}

// throughputOverTime draws the operations completed per second and, on the
// right axis, the share of them that were not ok and, for a strategy whose
// generator fell behind, the share of the operations due in each second
// that it started over 1 ms late: where it fell behind.
func throughputOverTime(ss []metrics.StrategyResult, col colours, incs []incident) (*chart, error) {
	line := charts.NewLine()
	line.SetGlobalOptions(append(common(""),
		charts.WithXAxisOpts(secondsAxis()),
		charts.WithYAxisOpts(axis{Name: "ops/s", Suffix: "{value}"}.y()))...)
	errAxis := axis{Name: "errors, late", Suffix: "{value} %"}.y()
	errAxis.SplitLine = &opts.SplitLine{Show: opts.Bool(false)}
	line.ExtendYAxis(errAxis)
	var notes []string
	for i, s := range ss {
		var tput, errs, late []point
		fellBehind := metrics.FellBehind(s.LateStarts, s.Operations) // as the run's warning has it
		for _, w := range s.Windows {
			tput = append(tput, point{X: float64(w.AtS), Y: float64(w.Completed)})
			if w.Completed > 0 {
				errs = append(errs, point{X: float64(w.AtS), Y: round(float64(w.Partial+w.Failed)*100/float64(w.Completed), 2)})
			}
			if w.Started > 0 {
				late = append(late, point{X: float64(w.AtS), Y: round(float64(w.LateStarts)*100/float64(w.Started), 2)})
			}
		}
		tput = downsample(tput, s.Name+" throughput", &notes)
		errs = downsample(errs, s.Name+" errors", &notes)
		opt := []charts.SeriesOpts{lineStyle(col.of(s.Name), false, false), valueFormatter(fmtPerSecond)}
		if i == 0 {
			opt = append(opt, shadeIncidents(incs))
		}
		line.AddSeries(s.Name+" ops/s", lineData(tput), opt...)
		line.AddSeries(s.Name+" errors %", lineData(errs), lineStyle(col.of(s.Name), true, false),
			charts.WithLineChartOpts(opts.LineChart{YAxisIndex: 1, ShowSymbol: opts.Bool(false), Symbol: "circle"}), valueFormatter(fmtPercent))
		if fellBehind {
			late = downsample(late, s.Name+" late starts", &notes)
			line.AddSeries(s.Name+" late starts %", lineData(late), lineStyle(col.of(s.Name), true, true),
				charts.WithLineChartOpts(opts.LineChart{YAxisIndex: 1, ShowSymbol: opts.Bool(false), Symbol: "circle"}), valueFormatter(fmtPercent))
		}
	}
	how := "Solid, left axis: operations completed per second. Dashed, right axis: the share of them that were not ok (partial or failed). " +
		"Throughput below the offered rate, or errors rising, show where a strategy or an upstream gave way. " +
		"Faint dashed, right axis, only for a strategy whose generator fell behind (over 1% of its operations started over 1 ms late): the share of the operations due in each second that it started over 1 ms late." +
		incidentNote(incs)
	return newChart("chart-throughput", "Throughput and error rate per second", how, timelineHeight, line, notes...)
}

// valueFormatter sets how a series' values read in the tooltip.
func valueFormatter(f string) charts.SeriesOpts {
	return func(s *charts.SingleSeries) {
		s.SeriesTooltip = &opts.SeriesTooltip{ValueFormatter: types.FuncStr(f)}
	}
}

// failureKindOrder puts the kinds of failed calls in a stable order: HTTP
// answers first, then the calls that got none.
var failureKindOrder = []string{"http_5xx", "http_4xx", "timeout", "reset", "refused", "transport", "canceled", "breaker_open", "limited", "rejected", "skipped", "dead_letter"}

var failureKindLabels = map[string]string{
	"http_5xx": "5xx", "http_4xx": "4xx (429s included)", "breaker_open": "breaker open", "limited": "rate-limited (client)",
}

func failureLabel(kind string) string {
	if l, ok := failureKindLabels[kind]; ok {
		return l
	}
	return kind
}

// failuresByKind draws, for each strategy that had failed calls, the
// failed calls per second stacked by kind: one small chart per strategy,
// since colour here is the kind.
func failuresByKind(ss []metrics.StrategyResult, col colours, incs []incident) ([]chart, error) {
	// One x axis for every strategy's chart, ending with the last second
	// any of them ran: a bar chart's axis would otherwise be rounded up to
	// a "nice" length, twice the run at worst.
	xAxis := secondsAxis()
	var lastS int64
	for _, s := range ss {
		if n := len(s.Windows); n > 0 {
			lastS = max(lastS, s.Windows[n-1].AtS+1)
		}
	}
	if lastS > 0 {
		xAxis.Max = lastS
	}
	var out []chart
	for i, s := range ss {
		kinds := map[string]bool{}
		for _, w := range s.Windows {
			for k, n := range w.CallFailures {
				if n > 0 {
					kinds[k] = true
				}
			}
		}
		if len(kinds) == 0 {
			continue
		}
		order := slices.Clone(failureKindOrder)
		for _, k := range slices.Sorted(maps.Keys(kinds)) {
			if !slices.Contains(order, k) {
				order = append(order, k)
			}
		}
		bar := charts.NewBar()
		bar.SetGlobalOptions(append(common(fmtCount),
			charts.WithXAxisOpts(xAxis),
			charts.WithYAxisOpts(axis{Name: "calls/s", Suffix: "{value}"}.y()))...)
		var notes []string
		first := true
		for _, k := range order {
			if !kinds[k] {
				continue
			}
			var pts []point
			for _, w := range s.Windows {
				pts = append(pts, point{X: float64(w.AtS), Y: float64(w.CallFailures[k])})
			}
			pts = downsample(pts, s.Name+" "+failureLabel(k), &notes)
			data := make([]opts.BarData, len(pts))
			for j, p := range pts {
				data[j] = opts.BarData{Value: [2]float64{p.X, p.Y}}
			}
			opt := []charts.SeriesOpts{charts.WithBarChartOpts(opts.BarChart{Stack: "kinds"}),
				charts.WithItemStyleOpts(opts.ItemStyle{Color: kindColour(k)})}
			if first {
				opt = append(opt, shadeIncidents(incs))
				first = false
			}
			bar.AddSeries(failureLabel(k), data, opt...)
		}
		how := "Calls that failed in each second, stacked by kind; 429s are counted with the 4xx here and apart in the upstream table."
		c, err := newChart(fmt.Sprintf("chart-failures-%d", i), "Failed calls per second · "+s.Name, how, kindsHeight, bar, notes...)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, nil
}
