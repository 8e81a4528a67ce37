package compare

import (
	"encoding/xml"
	"fmt"
	"io"
)

// JUnit XML, as CI systems read it: a test suite per strategy, a test case
// per metric, a failure element for each regression. It carries no
// timestamps, so the same comparison gives the same bytes.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnit writes the comparison as JUnit XML: one test case per strategy ×
// metric, failed when the metric regressed.
func JUnit(w io.Writer, c *Comparison) error {
	out := junitSuites{Name: "fanbench compare " + c.Scenario}
	for _, s := range c.Strategies {
		suite := junitSuite{Name: "fanbench compare " + c.Scenario + ": " + s.Name, Properties: []junitProperty{
			{"mode", string(s.Mode)}, {"baseline_repeats", fmt.Sprint(s.BaselineRepeats)},
			{"current_repeats", fmt.Sprint(s.CurrentRepeats)}, {"alpha", fmt.Sprint(c.Alpha)},
		}}
		for _, m := range s.Metrics {
			detail := fmt.Sprintf("baseline %s, current %s, change %s, tolerance ±%s, p %s (n = %d + %d), verdict %s",
				value(m.Baseline, m.Unit), value(m.Current, m.Unit), changeText(m), m.Tolerance, PValue(m.P), m.BaselineN, m.CurrentN, m.Verdict)
			if m.Note != "" {
				detail += "; " + m.Note
			}
			tc := junitCase{Name: m.Metric, Classname: "fanbench.compare." + s.Name}
			if m.Regression {
				tc.Failure = &junitFailure{Message: describe(s, m), Type: "regression", Text: detail}
				suite.Failures++
			} else {
				tc.SystemOut = detail
			}
			suite.Cases = append(suite.Cases, tc)
			suite.Tests++
		}
		out.Tests += suite.Tests
		out.Failures += suite.Failures
		out.Suites = append(out.Suites, suite)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
