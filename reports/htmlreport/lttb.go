package htmlreport

import "math"

// maxPoints is the most points a series of a chart gets; longer series are
// downsampled with LTTB, and the chart says so.
const maxPoints = 2000

// point is one (x, y) of a series.
type point struct{ X, Y float64 }

// lttb downsamples data to threshold points by Largest-Triangle-Three-
// Buckets (Steinarsson, 2013): it keeps the first and last points and, of
// each bucket between, the point that forms the largest triangle with the
// point kept before it and the average of the next bucket. Spikes survive,
// unlike with averaging or taking every nth point. data must be sorted by
// X; it is returned as is when it is short enough or threshold < 3.
func lttb(data []point, threshold int) []point {
	if threshold < 3 || len(data) <= threshold {
		return data
	}
	out := make([]point, 0, threshold)
	out = append(out, data[0])
	every := float64(len(data)-2) / float64(threshold-2)
	kept := 0
	for i := range threshold - 2 {
		nextFrom := int(math.Floor(float64(i+1)*every)) + 1
		nextTo := min(int(math.Floor(float64(i+2)*every))+1, len(data))
		var avgX, avgY float64
		for _, p := range data[nextFrom:nextTo] {
			avgX += p.X
			avgY += p.Y
		}
		n := float64(nextTo - nextFrom)
		avgX, avgY = avgX/n, avgY/n

		from := int(math.Floor(float64(i)*every)) + 1
		a := data[kept]
		best, bestArea := from, -1.0
		for j := from; j < nextFrom; j++ {
			area := math.Abs((a.X-avgX)*(data[j].Y-a.Y) - (a.X-data[j].X)*(avgY-a.Y))
			if area > bestArea {
				best, bestArea = j, area
			}
		}
		out = append(out, data[best])
		kept = best
	}
	return append(out, data[len(data)-1])
}
