package reports

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"
)

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
func f2(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// ms shows a latency in milliseconds to 0.1 ms, or to 0.001 ms below 1 ms,
// so that a queued strategy's ack of 40 µs reads 0.040, not 0.0.
func ms(v float64) string {
	if v > 0 && v < 1 {
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
	return f1(v)
}

func pct(n, of uint64) string {
	if of == 0 {
		return "–"
	}
	return f1(float64(n)*100/float64(of)) + "%"
}

func pct100(ratio float64) string { return f1(ratio*100) + "%" }

// StatusKeys orders the keys of a statuses map (UpstreamResult.Statuses):
// statuses numerically, failure kinds after them by name, as every report
// lists them.
func StatusKeys(m map[string]uint64) []string {
	return slices.SortedFunc(maps.Keys(m), func(a, b string) int {
		ai, aerr := strconv.Atoi(a)
		bi, berr := strconv.Atoi(b)
		switch {
		case aerr == nil && berr == nil:
			return ai - bi
		case aerr == nil:
			return -1
		case berr == nil:
			return 1
		}
		return strings.Compare(a, b)
	})
}

// statuses lists counts as "200×1990 503×10", statuses in numeric order and
// failure kinds after them.
func statuses(m map[string]uint64) string {
	keys := StatusKeys(m)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, m[k])
	}
	return strings.Join(parts, " ")
}

func rightAligned(from, to int) []table.ColumnConfig {
	var cc []table.ColumnConfig
	for n := from; n <= to; n++ {
		cc = append(cc, table.ColumnConfig{Number: n, Align: text.AlignRight, AlignHeader: text.AlignRight})
	}
	return cc
}
