package htmlreport

import (
	"strconv"
	"strings"
)

// msText shows a latency in milliseconds to 0.1 ms, or to 0.001 ms below
// 1 ms (a queued ack of 40 µs reads 0.040 ms, not 0.0 ms).
func msText(v float64) string {
	if v > 0 && v < 1 {
		return strconv.FormatFloat(v, 'f', 3, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " ms"
}

// percentText shows a share (0 to 1) as a percentage.
func percentText(share float64) string {
	return strconv.FormatFloat(share*100, 'f', 2, 64) + " %"
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
func f2(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// count shows a count with thousands separators: 15,000.
func count[T ~int | ~int64 | ~uint64](n T) string {
	s := strconv.FormatInt(int64(n), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// round keeps d decimals, so that chart data stays short.
func round(v float64, d int) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', d, 64), 64)
	return f
}
