package htmlreport

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/fanbench/fanbench/metrics"
)

// The spectrum's x axis is 1/(1−p): p0 at 1, p90 at 10, p99 at 100, so that
// each "nine" takes the same room on a log axis. It ends at p99.999 (x =
// 100,000) or where the samples run out: beyond 1/(1−p) = count every
// percentile is the maximum. p100 is left out: its x is infinite.
const (
	spectrumMaxX     = 1e5
	pointsPerDecade  = 40
	spectrumHeight   = 400
	percentileHeight = 340
)

// spectrumPoints is the latency (ms) at percentiles from p0 up, against
// x = 1/(1−p); the last point is the maximum.
func spectrumPoints(h *metrics.Histogram) []point {
	n := h.Count()
	if n == 0 {
		return nil
	}
	xmax := min(float64(n), spectrumMaxX)
	if xmax <= 1 {
		return []point{{X: 1, Y: msOf(h.Quantile(100))}}
	}
	decades := math.Log10(xmax)
	steps := max(2, int(math.Ceil(decades*pointsPerDecade)))
	pts := make([]point, 0, steps+1)
	for i := 0; i <= steps; i++ {
		x := math.Pow(10, decades*float64(i)/float64(steps))
		v := h.Quantile(100 * (1 - 1/x))
		if i == steps {
			v = h.Quantile(100)
		}
		pts = append(pts, point{X: round(x, 4), Y: msOf(v)})
	}
	return pts
}

func msOf(d time.Duration) float64 { return round(float64(d)/float64(time.Millisecond), 3) }

// spectrumRun is one result's strategies for the spectrum: the baseline's
// are drawn fainter under the current ones.
type spectrumRun struct {
	r     *metrics.Result
	faint bool
	tag   string // " · baseline"
}

// spectrumChart draws the percentile spectrum of every strategy of the
// runs: operation latency solid and, with serviceTime, service time
// dashed. An async strategy is drawn by its delivery latency; its ack
// (what its caller waits) is a dotted series of its own only when it
// does not stretch the axis: with the ack 1,000 times faster than the
// rest, it would force a log scale on everyone.
func spectrumChart(id string, runs []spectrumRun, col colours, serviceTime bool) (*chart, error) {
	type series struct {
		name       string
		pts        []point
		colour     string
		dash       string // "", "dashed", "dotted"
		faint, ack bool
	}
	var main []series
	var acks []series
	var p50s, ackP50s []float64
	var ackNames []string
	xmax := 10.0
	for _, run := range runs {
		for _, s := range run.r.Strategies {
			lat, err := histogram(s, "latency")
			if err != nil {
				return nil, err
			}
			if lat == nil || lat.Count() == 0 {
				continue
			}
			name, counts, p50 := s.Name+run.tag, lat, s.Latency.P50
			if s.Queue != nil {
				del, err := histogram(s, "delivery_latency")
				if err != nil {
					return nil, err
				}
				if del != nil && del.Count() > 0 {
					ackPts := spectrumPoints(lat)
					acks = append(acks, series{name: s.Name + run.tag + " · ack (caller waits)", pts: ackPts, colour: col.of(s.Name), dash: "dotted", faint: run.faint, ack: true})
					ackP50s = append(ackP50s, s.Latency.P50)
					ackNames = append(ackNames, s.Name)
					name, counts, p50 = s.Name+run.tag+" · delivery", del, s.Queue.DeliveryLatency.P50
				}
			}
			pts := spectrumPoints(counts)
			p50s = append(p50s, p50)
			xmax = max(xmax, pts[len(pts)-1].X)
			main = append(main, series{name: name, pts: pts, colour: col.of(s.Name), faint: run.faint})
			svc, err := histogram(s, "service_time")
			if err != nil {
				return nil, err
			}
			if serviceTime && s.Queue == nil && svc != nil && svc.Count() > 0 && s.LatencyFrom != "actual_start" {
				main = append(main, series{name: s.Name + run.tag + " · service time", pts: spectrumPoints(svc), colour: col.of(s.Name), dash: "dashed", faint: run.faint})
			}
		}
	}
	if len(main) == 0 {
		return nil, nil
	}
	logY := spread(p50s, 20)
	// The acks join when they keep the axis as it is: linear, or log
	// with the acks inside its range.
	withAcks := len(acks) > 0 && spread(append(slices.Clone(p50s), ackP50s...), 20) == logY && (!logY || minPositive(ackP50s) >= minPositive(p50s))
	if withAcks {
		for _, a := range acks {
			xmax = max(xmax, a.pts[len(a.pts)-1].X)
		}
		main = append(main, acks...)
	}
	line := charts.NewLine()
	line.SetGlobalOptions(common(fmtMS)...)
	for _, sr := range main {
		style := lineStyle(sr.colour, sr.dash == "dashed", sr.faint)
		if sr.dash == "dotted" {
			style = dottedLine(sr.colour, sr.faint)
		}
		line.AddSeries(sr.name, lineData(sr.pts), style)
	}
	line.SetGlobalOptions(
		charts.WithXAxisOpts(opts.XAxis{Type: "log", Min: 1, Max: math.Pow(10, math.Ceil(math.Log10(xmax))),
			AxisLabel:   &opts.AxisLabel{Formatter: fmtPercentileAxis, Color: textColour},
			AxisPointer: &opts.AxisPointer{Label: &opts.Label{Formatter: fmtPercentilePointer}},
			SplitLine:   &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#eef1f5"}}}),
		charts.WithYAxisOpts(axis{Name: "latency", Suffix: "{value} ms", Log: logY}.y()),
	)
	how := "Latency (y) at every percentile (x) for each strategy; lower is better. The x axis stretches the tail so that p90, p99, p99.9 and p99.99 " +
		"get equal room. A line ends where its samples run out."
	if serviceTime {
		how += " Solid: operation latency from the intended start; dashed: service time from the actual start. " +
			"Where dashed runs below solid, operations waited to start (coordinated omission)."
	}
	if len(acks) > 0 {
		how += " An async strategy (" + strings.Join(uniq(ackNames), ", ") + ") is drawn by its delivery latency, until its last call was delivered: " +
			"what it is judged by."
		if withAcks {
			how += " Dotted: its ack, what its caller waits."
		}
	}
	var notes []string
	if logY {
		notes = append(notes, "Latency on a log scale: the strategies differ by more than 20× at p50.")
	}
	if len(acks) > 0 && !withAcks {
		notes = append(notes, fmt.Sprintf("The ack of %s (what its caller waits, p50 %s) is left out: it would stretch the latency axis. "+
			"Queues and pools sets it against the delivery.", strings.Join(uniq(ackNames), ", "), msText(slices.Min(ackP50s))))
	}
	return newChart(id, "Latency percentile spectrum", how, spectrumHeight, line, notes...)
}

// uniq is names without repeats, in order.
func uniq(names []string) []string {
	var out []string
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// minPositive is the smallest positive value; 0 when there is none.
func minPositive(vs []float64) float64 {
	lo := 0.0
	for _, v := range vs {
		if v > 0 && (lo == 0 || v < lo) {
			lo = v
		}
	}
	return lo
}

// histogram decodes one of a strategy's histograms; nil when it has none.
func histogram(s metrics.StrategyResult, key string) (*metrics.Histogram, error) {
	enc, ok := s.Histograms[key]
	if !ok {
		return nil, nil
	}
	h, err := metrics.DecodeHistogram(enc)
	if err != nil {
		return nil, fmt.Errorf("strategy %s, histogram %s: %w", s.Name, key, err)
	}
	return h, nil
}

// percentileCategories are the bars' percentiles.
var percentileCategories = []string{"p50", "p90", "p99", "p99.9"}

func percentilesOf(l metrics.Summary) []float64 { return []float64{l.P50, l.P90, l.P99, l.P999} }

// percentileBars draws p50, p90, p99 and p99.9 of each strategy of the
// runs, a baseline's bar lighter and dashed beside the current one.
func percentileBars(id string, runs []spectrumRun, col colours) (*chart, error) {
	type bars struct {
		name, colour string
		faint        bool
		values       []float64
	}
	var all []bars
	// Baseline and current side by side: strategy by strategy, in the
	// order of the last run, then those only in earlier runs.
	seen := map[string]bool{}
	var order []string
	for i := len(runs) - 1; i >= 0; i-- {
		for _, s := range runs[i].r.Strategies {
			if !seen[s.Name] {
				seen[s.Name] = true
				order = append(order, s.Name)
			}
		}
	}
	var values []float64
	for _, name := range order {
		for _, run := range runs {
			s, ok := find(run.r.Strategies, name)
			if !ok || s.Operations == 0 {
				continue
			}
			v, label := percentilesOf(s.Latency), name+run.tag
			if s.Queue != nil {
				v, label = percentilesOf(s.Queue.DeliveryLatency), name+run.tag+" · delivery"
			}
			values = append(values, v...)
			all = append(all, bars{name: label, colour: col.of(name), faint: run.faint, values: v})
		}
	}
	if len(all) == 0 {
		return nil, nil
	}
	bar := charts.NewBar()
	logY := spread(values, 50)
	bar.SetGlobalOptions(append(common(fmtMS),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Color: textColour}}),
		charts.WithYAxisOpts(axis{Name: "latency", Suffix: "{value} ms", Log: logY}.y()))...)
	bar.SetXAxis(percentileCategories)
	var faint []int
	for i, b := range all {
		data := make([]opts.BarData, len(b.values))
		for j, v := range b.values {
			data[j] = opts.BarData{Value: v}
		}
		bar.AddSeries(b.name, data, barStyle(b.colour, b.faint))
		if b.faint {
			faint = append(faint, i)
		}
	}
	how := "Each group is one percentile, each bar one strategy; lower is better. The gap between p50 and p99.9 is the tail a user meets once in a thousand operations."
	for _, b := range all {
		if strings.HasSuffix(b.name, " · delivery") {
			how += " An async strategy's bars are its delivery latency: what it is judged by."
			break
		}
	}
	if len(faint) > 0 {
		how += " Lighter, dashed bars are the baseline, beside the current run."
	}
	var notes []string
	if logY {
		notes = append(notes, "Latency on a log scale: the bars differ by more than 50×.")
	}
	c, err := newChart(id, "Percentiles per strategy", how, percentileHeight, bar, notes...)
	if err != nil {
		return nil, err
	}
	if logY {
		if err := c.logBarBase(values); err != nil {
			return nil, err
		}
	}
	return c, c.dashBorders(faint)
}
