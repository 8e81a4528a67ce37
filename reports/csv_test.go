package reports

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"testing"
)

// The CSV parses back with one row per strategy and per upstream, as many
// cells as the header in each, plain numbers in the numeric columns, and
// names that a spreadsheet would run as formulas defused.
func TestCSVParsesBack(t *testing.T) {
	t.Parallel()
	for name, r := range testResults(t) {
		var buf bytes.Buffer
		if err := CSV(&buf, r); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("%s: the CSV does not parse: %v", name, err)
		}
		wantRows := 1 + len(r.Strategies)
		for _, s := range r.Strategies {
			wantRows += len(s.Upstreams)
		}
		if len(rows) != wantRows {
			t.Errorf("%s: %d rows, want %d (a header, one per strategy and upstream)", name, len(rows), wantRows)
		}
		head := rows[0]
		for i, row := range rows[1:] {
			if len(row) != len(head) {
				t.Errorf("%s: row %d has %d cells, the header %d", name, i+2, len(row), len(head))
				continue
			}
			for j := 3; j < len(row); j++ {
				if head[j] == "statuses" || head[j] == "verdict" { // text
					continue
				}
				if _, err := strconv.ParseFloat(row[j], 64); row[j] != "" && err != nil {
					t.Errorf("%s: row %d, column %s = %q, not a number", name, i+2, head[j], row[j])
				}
			}
			if k := row[0]; k != "strategy" && k != "upstream" {
				t.Errorf("%s: row %d has kind %q", name, i+2, k)
			}
		}
	}
	var buf bytes.Buffer
	if err := CSV(&buf, hostile(t)); err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(&buf).ReadAll()
	if got := rows[1][1]; got != `'=HYPERLINK("x")` {
		t.Errorf("the strategy named =HYPERLINK(...) is written %q, want it quoted", got)
	}
	if got := rows[2][1]; got != "1. fan|out\n# h" {
		t.Errorf("a strategy name with a line break is written %q", got)
	}
}
