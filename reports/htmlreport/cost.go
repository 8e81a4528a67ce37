package htmlreport

import (
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/fanbench/fanbench/metrics"
)

// costSection shows what fanbench itself added to the latency
// (harness overhead) and what each strategy cost the process.
func costSection(r *metrics.Result, col colours) (*section, error) {
	s := &section{ID: "cost", Title: "Harness overhead and cost"}
	var withOverhead []metrics.StrategyResult
	var withCost []metrics.StrategyResult
	for _, st := range r.Strategies {
		if st.HarnessOverhead != nil && st.HarnessOverhead.Count > 0 {
			withOverhead = append(withOverhead, st)
		}
		if st.Cost != nil {
			withCost = append(withCost, st)
		}
	}
	if len(withOverhead) == 0 && len(withCost) == 0 {
		return nil, nil
	}
	var grid []chart
	if len(withOverhead) > 0 {
		bar := charts.NewBar()
		bar.SetXAxis(percentileCategories)
		for _, st := range withOverhead {
			bar.AddSeries(st.Name, barData(percentilesOf(*st.HarnessOverhead)), barStyle(col.of(st.Name), false))
		}
		bar.SetGlobalOptions(append(common(fmtMS),
			charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Color: textColour}}),
			charts.WithYAxisOpts(axis{Name: "overhead", Suffix: "{value} ms"}.y()))...)
		how := "Measured minus ideal latency, where the ideal follows from the mock upstreams' paired draws (sum of the calls for sequential, the slowest for fan-out): " +
			"what the harness, Go's scheduler and the HTTP stack added. Small against the latencies compared means the comparison is sound."
		c, err := newChart("chart-overhead", "Harness overhead", how, 300, bar)
		if err != nil {
			return nil, err
		}
		grid = append(grid, *c)
	}
	if len(withCost) > 0 {
		bar := charts.NewBar()
		var names []string
		var data []opts.BarData
		for _, st := range withCost {
			names = append(names, st.Name)
			data = append(data, opts.BarData{Value: round(st.Cost.CPUMsPer1000Ops, 1), ItemStyle: &opts.ItemStyle{Color: col.of(st.Name)}})
		}
		bar.SetXAxis(names)
		bar.AddSeries("CPU per 1,000 operations", data, func(s *charts.SingleSeries) { s.BarMaxWidth = "56" },
			charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "top", Formatter: "{c} ms", Color: textColour}))
		bar.SetGlobalOptions(append(common(fmtMS),
			charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Color: textColour}}),
			charts.WithYAxisOpts(axis{Name: "CPU", Suffix: "{value} ms"}.y()),
			charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}))...)
		how := "CPU time (user + system) of the fanbench process per 1,000 operations; lower means the strategy needs fewer machines for the same load."
		c, err := newChart("chart-cpu", "CPU per 1,000 operations", how, 300, bar)
		if err != nil {
			return nil, err
		}
		grid = append(grid, *c)
	}
	s.Blocks = append(s.Blocks, block{Grid: grid})
	if len(withCost) > 0 {
		s.Blocks = append(s.Blocks, block{Table: costTable(withCost, col)})
	}
	return s, nil
}

func costTable(ss []metrics.StrategyResult, col colours) *table {
	t := &table{Caption: "Cost of the fanbench process", Head: []string{"strategy", "CPU", "CPU per 1,000 ops", "peak goroutines", "peak heap",
		"GC pause p99", "GC pauses", "peak open connections"}}
	mocks := false
	for _, s := range ss {
		c := s.Cost
		mocks = mocks || c.IncludesMocks
		t.Rows = append(t.Rows, []cell{{Text: s.Name, Swatch: col.of(s.Name)}, num(f2(c.CPUSeconds) + " s"), num(f1(c.CPUMsPer1000Ops) + " ms"),
			num(count(c.PeakGoroutines)), num(f1(float64(c.PeakHeapBytes)/(1<<20)) + " MiB"), num(msText(c.GCPauseP99MS)),
			num(count(c.GCPauses)), num(count(c.PeakOpenConns))})
	}
	if mocks {
		t.Note = "The mock upstreams ran in the same process: their share is included."
	}
	return t
}
