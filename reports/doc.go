// Package reports renders results for people and machines: today the
// terminal table. A renderer takes an io.Writer and a *metrics.Result and
// measures nothing; its output is deterministic (stable order, fixed
// formatting), so it is golden-tested.
//
//	res, _ := metrics.ReadResult("result.json")
//	_ = reports.Table(os.Stdout, res, reports.TableOptions{})
package reports
