// Package reports renders results for people and machines: the terminal
// table, Markdown for a pull-request comment and CSV for a spreadsheet
// (the HTML report is in reports/htmlreport). A renderer takes an
// io.Writer and a *metrics.Result and measures nothing; its output is
// deterministic (stable order, fixed formatting), so it is golden-tested.
//
//	res, _ := metrics.ReadResult("result.json")
//	_ = reports.Table(os.Stdout, res, reports.TableOptions{})
//	_ = reports.Markdown(os.Stdout, res)
package reports
