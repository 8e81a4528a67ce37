package hlog

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// WriteTable prints one line per tag: its intervals, values, percentiles
// and maximum in milliseconds (the values read as microseconds, fanbench's
// unit), and the span of its intervals in seconds from the log's first
// interval.
func WriteTable(w io.Writer, sums []TagSummary) error {
	var origin time.Time
	for i, s := range sums {
		if i == 0 || s.From.Before(origin) {
			origin = s.From
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "tag\tintervals\tvalues\tp50 (ms)\tp90 (ms)\tp99 (ms)\tp99.9 (ms)\tmax (ms)\tfrom (s)\tto (s)\t")
	for _, s := range sums {
		h := s.Histogram
		ms := func(v int64) string { return fmt.Sprintf("%.3f", float64(v)/1000) }
		tag := s.Tag
		if tag == "" {
			tag = "(no tag)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%.1f\t%.1f\t\n", tag, s.Intervals, h.TotalCount(),
			ms(h.ValueAtQuantile(50)), ms(h.ValueAtQuantile(90)), ms(h.ValueAtQuantile(99)), ms(h.ValueAtQuantile(99.9)),
			ms(h.Max()), s.From.Sub(origin).Seconds(), s.To.Sub(origin).Seconds())
	}
	return tw.Flush()
}
