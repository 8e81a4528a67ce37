package hlog

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Interval is one interval histogram of a log.
type Interval struct {
	// Tag is the histogram's tag; "" for an untagged line.
	Tag string
	// Start and End bound the interval (from the log's timestamps).
	Start, End time.Time
	Histogram  *hdrhistogram.Histogram
}

// maxIntervals bounds what Read keeps: a day of a second-by-second log with
// a few dozen tags.
const maxIntervals = 4_000_000

// ErrNotLog marks input that is not an HdrHistogram interval log.
var ErrNotLog = errors.New("not an HdrHistogram interval log")

// Read reads every interval histogram of a log written in the
// HdrHistogram log format (fanbench's, or any other tool's), in the order
// of the file.
func Read(r io.Reader) (out []Interval, err error) {
	defer func() {
		// hdrhistogram-go's reader and decoder are hardened, but a log is
		// input: whatever they miss is an error, not a crash.
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("%w: %v", ErrNotLog, p)
		}
	}()
	lr := hdrhistogram.NewHistogramLogReader(r)
	for {
		h, err := lr.NextIntervalHistogram()
		if err != nil {
			return nil, fmt.Errorf("%w: interval %d: %v", ErrNotLog, len(out)+1, err)
		}
		if h == nil {
			return out, nil
		}
		if len(out) == maxIntervals {
			return nil, fmt.Errorf("%w: over %d intervals", ErrNotLog, maxIntervals)
		}
		out = append(out, Interval{Tag: h.Tag(), Start: time.UnixMilli(h.StartTimeMs()), End: time.UnixMilli(h.EndTimeMs()), Histogram: h})
	}
}

// TagSummary is what a log holds for one tag: its intervals merged.
type TagSummary struct {
	Tag       string
	Intervals int
	// From and To span the tag's intervals.
	From, To time.Time
	// Histogram holds the values of every interval of the tag.
	Histogram *hdrhistogram.Histogram
}

// Summarize merges the intervals of each tag, in the order tags first
// appear.
func Summarize(intervals []Interval) []TagSummary {
	var out []TagSummary
	for _, iv := range intervals {
		i := slices.IndexFunc(out, func(s TagSummary) bool { return s.Tag == iv.Tag })
		if i < 0 {
			out = append(out, TagSummary{Tag: iv.Tag, From: iv.Start, To: iv.End, Intervals: 1, Histogram: iv.Histogram.Clone()})
			continue
		}
		s := &out[i]
		s.Intervals++
		s.Histogram.Merge(iv.Histogram) // values outside the first interval's range are dropped
		if iv.Start.Before(s.From) {
			s.From = iv.Start
		}
		if iv.End.After(s.To) {
			s.To = iv.End
		}
	}
	return out
}
