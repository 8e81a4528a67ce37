package metrics

import (
	"errors"
	"math"
)

// CombineRepeats combines runs of one strategy made one after another
// (load.repeats) into one result: histograms and counts merged exactly as
// MergeResults does, but time added up rather than overlapped — the
// duration is the sum, throughput is all operations over it, windows
// follow each other, cost peaks are the largest of the runs and Little's
// law is averaged. Repeats lists each run's headline figures, so a
// comparison can tell noise from change. seed is the seed every run drew
// from.
func CombineRepeats(runs []StrategyResult, seed uint64) (StrategyResult, error) {
	if len(runs) == 0 {
		return StrategyResult{}, errors.New("no runs to combine")
	}
	repeats := make([]Repeat, len(runs))
	for i, r := range runs {
		repeats[i] = RepeatOf(r, seed)
	}
	m := runs[0]
	for _, r := range runs[1:] {
		var err error
		if m, err = mergeStrategy(m, r); err != nil {
			return StrategyResult{}, err
		}
	}
	m.Repeats = repeats
	if len(runs) == 1 {
		return m, nil
	}

	var windows []Window
	var offset, duration float64
	for _, r := range runs {
		for _, w := range r.Windows {
			w.AtS += int64(math.Ceil(offset))
			windows = append(windows, w)
		}
		if len(r.Windows) > 0 {
			offset = float64(windows[len(windows)-1].AtS + 1)
		}
		duration += r.DurationS
	}
	m.Windows = windows
	m.DurationS = duration
	m.Throughput = 0
	if duration > 0 {
		m.Throughput = float64(m.Operations) / duration
	}
	if m.Cost != nil {
		m.Cost = peakCost(runs, m.Cost)
	}
	if m.Pool != nil {
		m.Pool.LittlesLaw.MeanInSystem /= float64(len(runs))
		m.Pool.LittlesLaw.ArrivalRate /= float64(len(runs))
		m.Pool.LittlesLaw.Predicted = m.Pool.LittlesLaw.ArrivalRate * m.Pool.LittlesLaw.MeanTimeInSystemMS / 1000
	}
	return m, nil
}

// peakCost keeps merged's summed CPU and takes each peak as the largest of
// the runs': runs one after another never held their peaks together.
func peakCost(runs []StrategyResult, merged *Cost) *Cost {
	c := *merged
	c.PeakGoroutines, c.PeakHeapBytes, c.PeakOpenConns = 0, 0, 0
	for _, r := range runs {
		if r.Cost == nil {
			continue
		}
		c.PeakGoroutines = max(c.PeakGoroutines, r.Cost.PeakGoroutines)
		c.PeakHeapBytes = max(c.PeakHeapBytes, r.Cost.PeakHeapBytes)
		c.PeakOpenConns = max(c.PeakOpenConns, r.Cost.PeakOpenConns)
	}
	return &c
}
