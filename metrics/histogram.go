package metrics

import (
	"fmt"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram bounds: 1 µs to 60 s at 3 significant figures, recorded in
// microseconds. A value below the lowest lands in the lowest bucket; a value
// above the highest is recorded as the highest and counted in Overflow, so no
// sample is ever lost silently.
const (
	lowestMicros  = 1
	highestMicros = 60_000_000
	sigFigs       = 3
)

// Histogram is a latency histogram (HDR). Not safe for concurrent use.
//
// Its HDR counts (about 144 KiB) are allocated by the first value above the
// lowest: until then only the count of lowest values is kept. A recorder
// holds a dozen histograms of which a run often fills only some (queue
// waits without a pool, delivery without a queue) or fills with zeros
// (rate-limiter waits without a limiter); those cost a few bytes, not
// 144 KiB each, in every recorder. The first real value allocates once;
// recording never allocates after it.
type Histogram struct {
	h *hdrhistogram.Histogram // nil until a value above the lowest
	// lowest counts the values at the lowest (1 µs or less) while h is nil.
	lowest int64
	// Overflow counts values above 60 s, recorded as 60 s.
	Overflow int64
}

// NewHistogram returns an empty histogram covering 1 µs to 60 s.
func NewHistogram() *Histogram { return &Histogram{} }

// Record adds one duration. It allocates nothing, but for the histogram's
// counts on its first value above 1 µs.
func (h *Histogram) Record(d time.Duration) {
	us := d.Microseconds()
	if us > highestMicros {
		us = highestMicros
		h.Overflow++
	}
	if us <= lowestMicros {
		h.recordLowest(1)
		return
	}
	// Cannot fail: us is within the trackable range.
	_ = h.counts().RecordValue(us)
}

// recordLowest adds n values at the lowest.
func (h *Histogram) recordLowest(n int64) {
	if h.h == nil {
		h.lowest += n
		return
	}
	_ = h.h.RecordValues(lowestMicros, n)
}

// counts returns the HDR counts, allocating them (with the lowest values
// kept so far) on first use.
func (h *Histogram) counts() *hdrhistogram.Histogram {
	if h.h == nil {
		h.h = hdrhistogram.New(lowestMicros, highestMicros, sigFigs)
		if h.lowest > 0 {
			_ = h.h.RecordValues(lowestMicros, h.lowest)
			h.lowest = 0
		}
	}
	return h.h
}

// Merge adds every value of o into h. Histograms of this package share their
// geometry, so the merge is exact.
func (h *Histogram) Merge(o *Histogram) {
	if o.h == nil {
		h.recordLowest(o.lowest)
	} else {
		h.counts().Merge(o.h)
	}
	h.Overflow += o.Overflow
}

// Lowest returns a histogram of h's n lowest values, or of all of them
// when h holds no more: for a reader of live counts that caught a recorder
// midway, with a value in one histogram that another does not hold yet.
func (h *Histogram) Lowest(n int64) *Histogram {
	out := NewHistogram()
	if n >= h.Count() {
		out.Merge(h)
		return out
	}
	for _, bar := range h.counts().Distribution() {
		if n <= 0 {
			break
		}
		if c := min(bar.Count, n); c > 0 {
			_ = out.counts().RecordValues(bar.From, c)
			n -= c
		}
	}
	return out
}

// Count is the number of recorded values.
func (h *Histogram) Count() int64 {
	if h.h == nil {
		return h.lowest
	}
	return h.h.TotalCount()
}

// Quantile returns the value at percentile p, given from 0 to 100 (99.9 is
// p99.9).
func (h *Histogram) Quantile(p float64) time.Duration {
	return time.Duration(h.counts().ValueAtQuantile(p)) * time.Microsecond
}

// Summary returns the usual percentiles, in milliseconds.
func (h *Histogram) Summary() Summary {
	if h.Count() == 0 {
		return Summary{}
	}
	return Summary{
		Count: h.Count(),
		P50:   ms(h.Quantile(50)),
		P90:   ms(h.Quantile(90)),
		P95:   ms(h.Quantile(95)),
		P99:   ms(h.Quantile(99)),
		P999:  ms(h.Quantile(99.9)),
		Max:   ms(time.Duration(h.counts().Max()) * time.Microsecond),
		Mean:  h.counts().Mean() / 1000,
	}
}

// Encode returns the HDR V2 compressed encoding, base64: about 1 KB for a
// typical run, and any percentile can be recomputed from it.
func (h *Histogram) Encode() (string, error) {
	b, err := h.counts().Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return "", fmt.Errorf("encoding histogram: %w", err)
	}
	return string(b), nil
}

// DecodeHistogram restores a histogram written by Encode.
func DecodeHistogram(s string) (*Histogram, error) {
	h, err := hdrhistogram.Decode([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("decoding histogram: %w", err)
	}
	if h.LowestTrackableValue() != lowestMicros || h.SignificantFigures() != sigFigs {
		// Rebuild into our geometry so merges stay exact.
		out := NewHistogram()
		for _, bar := range h.Distribution() {
			if bar.Count > 0 {
				v := min(bar.To, highestMicros)
				_ = out.counts().RecordValues(v, bar.Count)
			}
		}
		return out, nil
	}
	return &Histogram{h: h}, nil
}

// Summary is a latency distribution in milliseconds.
type Summary struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P95   float64 `json:"p95_ms"`
	P99   float64 `json:"p99_ms"`
	P999  float64 `json:"p999_ms"`
	Max   float64 `json:"max_ms"`
	Mean  float64 `json:"mean_ms"`
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
