package htmlreport

import (
	"fmt"
	"html/template"
	"io"
	"strings"
)

// page is everything the template shows. Every string in it is text:
// html/template escapes it where it lands, and chart options are
// HTML-escaped JSON (chart.Option).
type page struct {
	Title       string
	Kicker      string // the line above the heading: "fanbench report"
	Heading     string
	Description string
	Meta        []metaItem
	Sections    []section
	Footer      string
	EChartsJS   template.JS
	ReportJS    template.JS
	CSS         template.CSS
}

type metaItem struct{ Label, Value string }

// section is one part of the report, with its anchor in the navigation.
type section struct {
	ID, Title, Intro string
	Blocks           []block
}

// navLabels are the sections' short names in the navigation, which keep
// it to one line.
var navLabels = map[string]string{
	"summary": "Summary", "spectrum": "Spectrum", "percentiles": "Percentiles", "latency-over-time": "Latency over time",
	"throughput": "Throughput & errors", "upstreams": "Upstreams", "async": "Async", "outcomes": "Outcomes", "queues": "Queues & pools",
	"cost": "Overhead & cost", "scenario": "Scenario",
}

// Nav is the section's name in the navigation.
func (s section) Nav() string {
	if l, ok := navLabels[s.ID]; ok {
		return l
	}
	return s.Title
}

// block is one thing in a section; exactly one field is set.
type block struct {
	Verdict  *verdictBox
	Concerns *concernList
	Callout  *callout
	Cards    []card
	// Text is a short paragraph aside.
	Text  string
	Chart *chart
	// Grid holds charts shown side by side (small multiples).
	Grid  []chart
	Table *table
	Pre   string
}

// callout is a box that stands out: warnings, the verdict.
type callout struct {
	Kind  string // warn, fail, pass or info
	Title string
	Items []string
}

// verdictBox is the run's verdict (reports.Decide): the headline, a line
// per other strategy, and how differences were told from noise.
type verdictBox struct {
	Headline string
	Lines    []string
	Basis    string
	// Crowned is set when a strategy won (or, comparing, nothing
	// regressed); Regressed when a comparison found a regression.
	Crowned, Regressed bool
}

// concernList is the signs that the system under test was in trouble
// (reports.Concerns), each linking to where to look.
type concernList struct {
	Title string
	Intro string
	Items []concernItem
}

type concernItem struct {
	Strategy, What, Where string
	// Anchor is the id of the section to look at; "" when the page has
	// none.
	Anchor string
}

// card is one "best per metric" tile. Kind is win, tie or none.
type card struct {
	Label, Kind, Name, Value, Sub, Detail, Swatch string
	// Aside is what a strategy in trouble did better, not crowned.
	Aside []string
}

type table struct {
	// ID is the element's id, when something links to it; Class styles it
	// ("compact": the summary's narrow table).
	ID, Class string
	Caption   string
	Head      []string
	Rows      [][]cell
	Note      string
	// Rule is a line under the table on how to read it, shown plainly.
	Rule string
}

// cell is one table cell; Sub is a second, smaller line (a change against
// a baseline), Swatch the colour of a strategy shown beside the text, Tag
// a small label after it (styled by TagClass).
type cell struct {
	Text, Sub, Class, Swatch, Tag, TagClass string
}

func num(text string) cell { return cell{Text: text, Class: "num"} }

// Header is the head row, right-aligned above columns of numbers.
func (t *table) Header() []cell {
	out := make([]cell, len(t.Head))
	for i, h := range t.Head {
		out[i] = cell{Text: h}
		numeric := len(t.Rows) > 0
		for _, r := range t.Rows {
			if i >= len(r) || !strings.HasPrefix(r[i].Class, "num") {
				numeric = false
				break
			}
		}
		if numeric {
			out[i].Class = "num"
		}
	}
	return out
}

// soleChart is a section of one chart, titled by it.
func soleChart(id string, c *chart) section {
	s := section{ID: id, Title: c.Title, Blocks: []block{{Chart: c}}}
	c.Title = ""
	return s
}

// charts lists every chart of the page, in order, for the scripts that
// draw them.
func (p *page) Charts() []chart {
	var out []chart
	for _, s := range p.Sections {
		for _, b := range s.Blocks {
			if b.Chart != nil {
				out = append(out, *b.Chart)
			}
			out = append(out, b.Grid...)
		}
	}
	return out
}

var pageTmpl = template.Must(template.New("page").Parse(pageTemplate))

// render writes p as HTML with the inlined ECharts script, the page's
// script and its style.
func render(w io.Writer, p *page) error {
	p.EChartsJS = template.JS(echartsJS)
	p.ReportJS = template.JS(reportJS)
	p.CSS = template.CSS(reportCSS)
	if err := pageTmpl.Execute(w, p); err != nil {
		return fmt.Errorf("rendering the HTML report: %w", err)
	}
	return nil
}
