package htmlreport

import (
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/fanbench/fanbench/metrics"
)

// widthSection shows a width sweep (load.widths): each strategy's p99
// against the fan-out width, beside what its leaf's latency predicts were
// the calls independent, so a reader sees where the tail grows faster
// than the order statistic says it must. None when no strategy swept.
func widthSection(r *metrics.Result, col colours) (*section, error) {
	var swept []metrics.StrategyResult
	for _, s := range r.Strategies {
		if s.Widths != nil && len(s.Widths.Steps) > 0 {
			swept = append(swept, s)
		}
	}
	if len(swept) == 0 {
		return nil, nil
	}
	line := charts.NewLine()
	var all []float64
	for _, s := range swept {
		var measured, predicted []point
		for _, st := range s.Widths.Steps {
			measured = append(measured, point{X: float64(st.Width), Y: st.P99})
			all = append(all, st.P99)
			if st.Predicted != nil && st.Predicted.P99 > 0 {
				predicted = append(predicted, point{X: float64(st.Width), Y: st.Predicted.P99})
				all = append(all, st.Predicted.P99)
			}
		}
		line.AddSeries(s.Name+" p99", lineData(measured), lineStyle(col.of(s.Name), false, false), showSymbols)
		if len(predicted) > 0 {
			line.AddSeries(s.Name+" p99 predicted", lineData(predicted), lineStyle(col.of(s.Name), true, true), showSymbols)
		}
	}
	logY := spread(all, 50)
	line.SetGlobalOptions(append(common(fmtMS),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Min: "dataMin",
			AxisLabel: &opts.AxisLabel{Formatter: "{value}-way", Color: textColour},
			SplitLine: &opts.SplitLine{Show: opts.Bool(false)}}),
		charts.WithYAxisOpts(axis{Name: "p99", Suffix: "{value} ms", Log: logY}.y()))...)
	var notes []string
	if logY {
		notes = append(notes, "Log scale: the p99 spans more than fifty-fold across the widths.")
	}
	how := "Solid: the p99 measured at each width. Dashed, lighter: the p99 the narrowest width's leaf latency predicts for independent calls (the order statistic of the calls waited for). Measured above predicted means the calls' slowness is correlated or the fan-out itself adds cost."
	c, err := newChart("chart-widths", "p99 against fan-out width", how, 320, line, notes...)
	if err != nil {
		return nil, err
	}
	s := &section{ID: "widths", Title: "Fan-out width",
		Intro: "The same strategy at each width of load.widths, narrowest first, at the same arrival rate. The rest of the report shows the widest."}
	s.Blocks = append(s.Blocks, block{Chart: c}, block{Table: widthTable(swept, col)})
	return s, nil
}

// showSymbols marks each width on a line: a sweep has a handful of
// points, and the reader should see where they are.
func showSymbols(s *charts.SingleSeries) { s.ShowSymbol = opts.Bool(true) }

// widthTable lists every width's figures beside the prediction.
func widthTable(ss []metrics.StrategyResult, col colours) *table {
	t := &table{Caption: "Each width", Head: []string{"strategy", "width", "operations", "ops/s", "p50", "p99", "p99.9",
		"predicted p50 / p99 / p99.9", "p99 ÷ predicted", "errors", "requests/op", "calls given up"}}
	for _, s := range ss {
		for _, st := range s.Widths.Steps {
			pred, ratio := num("–"), num("–")
			if p := st.Predicted; p != nil {
				pred = num(predText(p.P50) + " / " + predText(p.P99) + " / " + predText(p.P999))
				if p.P99 > 0 {
					ratio = num(f2(st.P99/p.P99) + "×")
				}
			}
			t.Rows = append(t.Rows, []cell{{Text: s.Name, Swatch: col.of(s.Name)}, num(strconv.Itoa(st.Width)), num(count(st.Operations)),
				num(f1(st.Throughput)), num(msText(st.P50)), num(msText(st.P99)), num(msText(st.P999)), pred, ratio,
				num(percentText(st.ErrorRate)), num(f2(st.RequestsPerOp)), num(count(st.GivenUpCalls))})
		}
	}
	t.Note = "Predicted: what the leaf upstream's latency at the narrowest width gives for an operation that waits for that many of the width's calls, were they independent. " +
		"– where too few of the leaf's samples reach that far into its tail to say (run the narrowest width longer), and for strategies that do not simply wait for calls (sequential sums them; hedged sends more)."
	return t
}

// predText is a predicted latency, – when there was too little of the
// leaf's tail to predict it (metrics.PredictOrder).
func predText(v float64) string {
	if v <= 0 {
		return "–"
	}
	return msText(v)
}
