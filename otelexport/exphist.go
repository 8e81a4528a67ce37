package otelexport

import (
	"math"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/fanbench/fanbench/metrics"
)

// The exponential histograms' resolution, as the SDK's own
// Base2ExponentialHistogram aggregation chooses it: the largest scale whose
// buckets span the values in at most maxBuckets. 320 rather than the SDK's
// default 160 keeps scale 5 (buckets 2.2% wide, quantiles within 1.1%)
// for values spanning 10 powers of two, 1 ms to 1 s. maxScale caps it at 8
// (buckets 0.27% wide, about the HDR's own 3 significant figures; also
// Prometheus' finest native histogram schema).
const (
	maxScale   = 8
	minScale   = -10
	maxBuckets = 320
)

// microsecond is the unit of metrics.Counts, in seconds (the unit of the
// exported histograms).
const microsecond = 1e-6

// bucketIndex returns the index of the bucket holding v > 0 at scale: bucket
// i holds (base^i, base^(i+1)], base = 2^(2^-scale).
func bucketIndex(v float64, scale int) int32 {
	return int32(math.Ceil(math.Ldexp(math.Log2(v), scale))) - 1
}

// expPoint turns HDR counts (in microseconds) into an exponential
// histogram data point in seconds. Each HDR bin (0.1% wide) goes into the
// exponential bucket of its middle value, so the exponential histogram is
// the HDR histogram re-bucketed: a quantile read from it is the HDR's
// within half a bucket's width. The sum is of the bins' middle values, as
// the HDR's mean is.
func expPoint(c *metrics.Counts) metricdata.ExponentialHistogramDataPoint[float64] {
	var p metricdata.ExponentialHistogramDataPoint[float64]
	type bin struct {
		v float64
		n uint64
	}
	var bins []bin
	c.Bins(func(lo, hi, n int64) {
		if n <= 0 {
			return
		}
		mid := float64(lo+(hi-lo+1)/2) * microsecond
		if len(bins) == 0 {
			p.Min = metricdata.NewExtrema(float64(lo) * microsecond)
		}
		p.Max = metricdata.NewExtrema(float64(hi) * microsecond)
		p.Sum += mid * float64(n)
		p.Count += uint64(n)
		bins = append(bins, bin{mid, uint64(n)})
	})
	if len(bins) == 0 {
		return p
	}
	scale := maxScale
	for ; scale > minScale; scale-- {
		if bucketIndex(bins[len(bins)-1].v, scale)-bucketIndex(bins[0].v, scale) < maxBuckets {
			break
		}
	}
	p.Scale = int32(scale)
	p.PositiveBucket.Offset = bucketIndex(bins[0].v, scale)
	p.PositiveBucket.Counts = make([]uint64, bucketIndex(bins[len(bins)-1].v, scale)-p.PositiveBucket.Offset+1)
	for _, b := range bins {
		p.PositiveBucket.Counts[bucketIndex(b.v, scale)-p.PositiveBucket.Offset] += b.n
	}
	return p
}

// Quantile estimates quantile q (0 to 1) of an exponential histogram data
// point, as a consumer of the export would: the geometric middle of the
// bucket holding the rank. For tests and for checking an export.
func Quantile(p metricdata.ExponentialHistogramDataPoint[float64], q float64) float64 {
	return QuantileOf(p.Scale, p.PositiveBucket.Offset, p.PositiveBucket.Counts, q)
}

// QuantileOf is Quantile on the fields of an exponential histogram (as
// OTLP carries them).
func QuantileOf(scale int32, offset int32, counts []uint64, q float64) float64 {
	var total uint64
	for _, n := range counts {
		total += n
	}
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(total)))
	rank = max(rank, 1)
	var seen uint64
	for i, n := range counts {
		seen += n
		if seen >= rank {
			idx := float64(offset) + float64(i)
			// bounds base^idx and base^(idx+1): the geometric middle.
			return math.Exp2(math.Ldexp(idx+0.5, -int(scale)))
		}
	}
	return 0
}

// set makes an attribute set.
func set(kvs ...attribute.KeyValue) attribute.Set { return attribute.NewSet(kvs...) }
