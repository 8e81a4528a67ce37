package htmlreport

import (
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"
)

// chart is one chart of a page: its element, what it shows, how to read it,
// and its ECharts option.
type chart struct {
	ID, Title, HowTo string
	// Notes are said under the chart: downsampling, scales.
	Notes  []string
	Height int
	// Option is the ECharts option as JSON. encoding/json escapes <, > and
	// &, so it is safe inside a script element whatever the names in it.
	Option template.JS
}

// optionSource is a go-echarts chart: Validate fills in its axes, JSON
// gives its option.
type optionSource interface {
	Validate()
	JSON() map[string]any
}

// newChart takes the option of a go-echarts chart. Its own rendering is not
// used: it writes the option unescaped into a script, where a name holding
// "</script>" would end the script.
func newChart(id, title, howTo string, height int, src optionSource, notes ...string) (*chart, error) {
	src.Validate()
	b, err := json.Marshal(src.JSON())
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", id, err)
	}
	return &chart{ID: id, Title: title, HowTo: howTo, Notes: notes, Height: height, Option: template.JS(b)}, nil
}

// patch edits the chart's option as decoded JSON, for what go-echarts'
// options cannot say.
func (c *chart) patch(edit func(o map[string]any)) error {
	var o map[string]any
	if err := json.Unmarshal([]byte(c.Option), &o); err != nil {
		return fmt.Errorf("chart %s: %w", c.ID, err)
	}
	edit(o)
	b, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("chart %s: %w", c.ID, err)
	}
	c.Option = template.JS(b)
	return nil
}

// dashBorders gives the bars of the series at the given indexes a dashed
// outline: the baseline's bars beside the current ones.
func (c *chart) dashBorders(series []int) error {
	if len(series) == 0 {
		return nil
	}
	return c.patch(func(o map[string]any) {
		list, _ := o["series"].([]any)
		for _, i := range series {
			if i < 0 || i >= len(list) {
				continue
			}
			s, _ := list[i].(map[string]any)
			if s == nil {
				continue
			}
			style, _ := s["itemStyle"].(map[string]any)
			if style == nil {
				style = map[string]any{}
				s["itemStyle"] = style
			}
			style["borderType"] = "dashed"
		}
	})
}

// logBarBase makes the bars on a log y axis grow from the axis' bottom, a
// power of ten at or below the smallest value: ECharts otherwise grows them
// from 1, so values below 1 hang downwards.
func (c *chart) logBarBase(values []float64) error {
	lo := 0.0
	for _, v := range values {
		if v > 0 && (lo == 0 || v < lo) {
			lo = v
		}
	}
	if lo == 0 {
		return nil
	}
	base := math.Pow(10, math.Floor(math.Log10(lo)))
	return c.patch(func(o map[string]any) {
		if axes, _ := o["yAxis"].([]any); len(axes) > 0 {
			if y, _ := axes[0].(map[string]any); y != nil {
				y["min"], y["startValue"] = base, base
			}
		}
	})
}

// Formatters the page's script swaps for functions (assets/report.js).
const (
	fmtPercentileAxis    = "fb:percentileAxis"
	fmtPercentilePointer = "fb:percentilePointer"
	fmtSecondsPointer    = "fb:secondsPointer"
	fmtMS                = "fb:ms"
	fmtPercent           = "fb:percent"
	fmtPerSecond         = "fb:perSecond"
	fmtRatio             = "fb:ratio"
	fmtCount             = "fb:count"
)

const textColour = "#5b6577"

// gridTop is where the plot starts below the chart's top, in px, before
// the page's script moves it below the legend (assets/report.js): a
// legend wraps onto as many rows as it needs and never pages.
const gridTop = 40

// common are the options of every chart: no animation (screenshots and
// prints show whole charts), a plain legend on top, room for labels.
func common(valueFormatter string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithAnimation(false),
		charts.WithInitializationOpts(opts.Initialization{BackgroundColor: "#ffffff"}),
		charts.WithLegendOpts(opts.Legend{Type: "plain", Orient: "horizontal", Top: "0", Left: "center",
			TextStyle: &opts.TextStyle{Color: textColour, FontSize: 12}}),
		charts.WithTooltipOpts(opts.Tooltip{Trigger: "axis", ValueFormatter: types.FuncStr(valueFormatter)}),
		charts.WithGridOpts(opts.Grid{Left: "12", Right: "24", Top: strconv.Itoa(gridTop), Bottom: "10", ContainLabel: opts.Bool(true)}),
	}
}

// axis describes a value axis: its unit suffix and whether it is
// logarithmic.
type axis struct {
	Name   string
	Suffix string // "{value} ms"
	Log    bool
}

func (a axis) y() opts.YAxis {
	y := opts.YAxis{Type: "value", Name: a.Name, NameGap: 12,
		AxisLabel: &opts.AxisLabel{Formatter: types.FuncStr(a.Suffix), Color: textColour},
		SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#eef1f5"}}}
	if a.Log {
		y.Type = "log"
	}
	return y
}

// secondsAxis is the x axis of the series over time.
func secondsAxis() opts.XAxis {
	return opts.XAxis{Type: "value", Min: 0,
		AxisLabel:   &opts.AxisLabel{Formatter: "{value} s", Color: textColour},
		AxisPointer: &opts.AxisPointer{Label: &opts.Label{Formatter: fmtSecondsPointer}},
		SplitLine:   &opts.SplitLine{Show: opts.Bool(false)}}
}

// lineData turns points into go-echarts data for a value x axis.
func lineData(pts []point) []opts.LineData {
	out := make([]opts.LineData, len(pts))
	for i, p := range pts {
		out[i] = opts.LineData{Value: [2]float64{p.X, p.Y}}
	}
	return out
}

// lineStyle draws a strategy's line: its colour, solid or dashed, lighter
// for a baseline.
func lineStyle(colour string, dashed, faint bool) charts.SeriesOpts {
	return func(s *charts.SingleSeries) {
		ls := &opts.LineStyle{Color: colour, Width: 2}
		if dashed {
			ls.Type = "dashed"
		}
		is := &opts.ItemStyle{Color: colour}
		if faint {
			ls.Opacity = opts.Float(0.45)
			is.Opacity = opts.Float(0.45)
		}
		s.LineStyle, s.ItemStyle = ls, is
		s.ShowSymbol = opts.Bool(false)
		s.Symbol = "circle"
	}
}

// dottedLine draws an async strategy's ack: its colour, dotted, thinner.
func dottedLine(colour string, faint bool) charts.SeriesOpts {
	return func(s *charts.SingleSeries) {
		lineStyle(colour, false, faint)(s)
		s.LineStyle.Type = "dotted"
		s.LineStyle.Width = 1.5
	}
}

// barStyle colours a strategy's bars; a baseline's are lighter, with a
// dashed outline.
func barStyle(colour string, faint bool) charts.SeriesOpts {
	return func(s *charts.SingleSeries) {
		is := &opts.ItemStyle{Color: colour}
		if faint {
			is.Opacity = opts.Float(0.4)
			is.BorderColor = colour
			is.BorderWidth = 1.5
		}
		s.ItemStyle = is
		s.BarMaxWidth = "42"
	}
}

// spread reports whether values (the positive ones) span more than ratio:
// then a log scale keeps the small ones visible.
func spread(values []float64, ratio float64) bool {
	lo, hi := 0.0, 0.0
	for _, v := range values {
		if v <= 0 {
			continue
		}
		if lo == 0 || v < lo {
			lo = v
		}
		hi = max(hi, v)
	}
	return lo > 0 && hi/lo > ratio
}

// downsample applies LTTB to a series longer than maxPoints and says so.
func downsample(pts []point, what string, notes *[]string) []point {
	if len(pts) <= maxPoints {
		return pts
	}
	*notes = append(*notes, fmt.Sprintf("%s: %s points downsampled to %s with LTTB (largest triangle three buckets), which keeps peaks and dips.",
		what, count(len(pts)), count(maxPoints)))
	return lttb(pts, maxPoints)
}

// msBars finishes a bar chart of durations in ms over categories: the
// value axis named axisName, on a log scale when the values spread over
// 50× (with logNote under the chart, when given), bars from the axis' base.
func msBars(id, title, how, axisName, logNote string, bar *charts.Bar, all []float64) (*chart, error) {
	logY := spread(all, 50)
	bar.SetGlobalOptions(append(common(fmtMS),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Color: textColour}}),
		charts.WithYAxisOpts(axis{Name: axisName, Suffix: "{value} ms", Log: logY}.y()))...)
	var notes []string
	if logY && logNote != "" {
		notes = append(notes, logNote)
	}
	c, err := newChart(id, title, how, 300, bar, notes...)
	if err != nil || !logY {
		return c, err
	}
	return c, c.logBarBase(all)
}
