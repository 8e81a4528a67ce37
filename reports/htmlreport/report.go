package htmlreport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/fanbench/fanbench/metrics"
)

// ErrNoResult is returned for a nil result.
var ErrNoResult = errors.New("htmlreport: no result to render")

// Write writes r as one self-contained HTML page: the summary, then a
// section per aspect the result has data for (sections without data are
// left out, not drawn empty), then the scenario as run.
func Write(w io.Writer, r *metrics.Result) error {
	if r == nil {
		return ErrNoResult
	}
	p, err := reportPage(r)
	if err != nil {
		return err
	}
	return render(w, p)
}

// WriteFile writes the report of r to path atomically: to a temporary file
// in the same folder, synced, then renamed over path, so a reader never
// sees half a page.
func WriteFile(path string, r *metrics.Result) error {
	var b bytes.Buffer
	if err := Write(&b, r); err != nil {
		return err
	}
	return metrics.WriteFileAtomic(path, b.Bytes())
}

func reportPage(r *metrics.Result) (*page, error) {
	sc := scenarioOf(r.Scenario)
	col := coloursFor(strategyNames(r))
	p := &page{
		Title:       "fanbench · " + orUnnamed(sc.Name),
		Kicker:      "fanbench report",
		Heading:     orUnnamed(sc.Name),
		Description: sc.Description,
		Meta:        metaOf(r, sc),
		Footer:      footer(r.Environment.FanbenchVersion),
	}
	runs := []spectrumRun{{r: r}}
	spec, err := spectrumChart("chart-spectrum", runs, col, true)
	if err != nil {
		return nil, err
	}
	if spec != nil {
		p.Sections = append(p.Sections, soleChart("spectrum", spec))
	}
	bars, err := percentileBars("chart-percentiles", runs, col)
	if err != nil {
		return nil, err
	}
	if bars != nil {
		p.Sections = append(p.Sections, soleChart("percentiles", bars))
	}
	widths, err := widthSection(r, col)
	if err != nil {
		return nil, err
	}
	if widths != nil {
		p.Sections = append(p.Sections, *widths)
	}
	timeline, err := timelineSections(r, col, incidentsOf(r.Scenario))
	if err != nil {
		return nil, err
	}
	p.Sections = append(p.Sections, timeline...)
	for _, build := range []func(*metrics.Result, colours) (*section, error){upstreamSection, asyncSection, outcomeSection, queueSection, costSection, agentsSection} {
		s, err := build(r, col)
		if err != nil {
			return nil, err
		}
		if s != nil {
			p.Sections = append(p.Sections, *s)
		}
	}
	if y := scenarioYAML(r.Scenario); y != "" {
		p.Sections = append(p.Sections, section{ID: "scenario", Title: "Scenario as run",
			Intro:  "The scenario with the flags' overrides and the defaults filled in, secrets redacted: enough to run it again.",
			Blocks: []block{{Pre: y}}})
	}
	// The summary last, knowing the sections its concerns link to; shown
	// first.
	p.Sections = append([]section{summarySection(r, col, p.Sections)}, p.Sections...)
	return p, nil
}

func strategyNames(r *metrics.Result) []string {
	names := make([]string, len(r.Strategies))
	for i, s := range r.Strategies {
		names[i] = s.Name
	}
	return names
}

func orUnnamed(name string) string {
	if name == "" {
		return "unnamed scenario"
	}
	return name
}

// metaOf is the line under the heading: when, how long, where.
func metaOf(r *metrics.Result, sc scenarioInfo) []metaItem {
	var m []metaItem
	if !r.StartedAt.IsZero() {
		m = append(m, metaItem{"started", r.StartedAt.UTC().Format(time.DateTime) + " UTC"})
	}
	run := f1(r.DurationS) + " s"
	if r.Interrupted {
		run += " (interrupted)"
	}
	m = append(m, metaItem{"ran", run}, metaItem{"strategies", count(len(r.Strategies))})
	if l := loadText(sc.Load); l != "" {
		m = append(m, metaItem{"load", l})
	}
	if sc.Seed != "" {
		m = append(m, metaItem{"seed", string(sc.Seed)})
	}
	e := r.Environment
	if e.FanbenchVersion != "" {
		m = append(m, metaItem{"fanbench", e.FanbenchVersion})
	}
	if e.GoVersion != "" {
		m = append(m, metaItem{"Go", e.GoVersion})
	}
	if e.OS != "" {
		m = append(m, metaItem{"platform", fmt.Sprintf("%s/%s, %d CPUs", e.OS, e.Arch, e.CPUs)})
	}
	return m
}

func footer(version string) string {
	if version == "" {
		version = "unknown version"
	}
	return "Written by fanbench (" + version + "). Charts by Apache ECharts " + echartsVersion +
		" (Apache-2.0), inlined: this page loads nothing and works offline."
}
