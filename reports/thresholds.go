package reports

import (
	"fmt"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"

	"github.com/fanbench/fanbench/metrics"
)

// thresholdTable lists the verdict on each threshold, failed ones marked
// FAIL; nil when the scenario set none.
func thresholdTable(r *metrics.Result, o TableOptions) table.Writer {
	if len(r.Thresholds) == 0 {
		return nil
	}
	t := newTable(o)
	t.AppendHeader(table.Row{"strategy", "threshold", "measured", "verdict"})
	for _, v := range r.Thresholds {
		verdict := "pass"
		if !v.Pass {
			verdict = "FAIL"
			if o.Color {
				verdict = text.Colors{text.FgHiRed, text.Bold}.Sprint(verdict)
			}
		}
		t.AppendRow(table.Row{v.Strategy, v.Threshold, thresholdValue(v), verdict})
	}
	t.SetColumnConfigs(rightAligned(3, 3))
	return t
}

// thresholdVerdict is the line under the thresholds table.
func thresholdVerdict(r *metrics.Result, o TableOptions) string {
	n := r.FailedThresholds()
	if n == 0 {
		line := fmt.Sprintf("thresholds: all %d passed", len(r.Thresholds))
		if o.Color {
			line = text.Colors{text.FgHiGreen, text.Bold}.Sprint(line)
		}
		return line
	}
	line := fmt.Sprintf("thresholds: %d of %d FAILED", n, len(r.Thresholds))
	if r.Interrupted {
		line += " (judged on what ran before the interruption)"
	}
	if o.Color {
		line = text.Colors{text.FgHiRed, text.Bold}.Sprint(line)
	}
	return line
}

// thresholdValue writes a measured value in its unit, or the note saying
// why there is none.
func thresholdValue(v metrics.ThresholdResult) string {
	if v.Value == nil {
		return v.Note
	}
	x := *v.Value
	switch v.Unit {
	case "ms":
		return ms(x) + " ms"
	case "share":
		return f2(x*100) + "%"
	case "/s":
		return f1(x) + "/s"
	}
	return f2(x) + "×"
}
