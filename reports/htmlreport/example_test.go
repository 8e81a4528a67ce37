package htmlreport_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/fanbench/fanbench/metrics"
	"github.com/fanbench/fanbench/reports/htmlreport"
)

func ExampleWrite() {
	res, err := metrics.ReadResult("testdata/everything.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	var page bytes.Buffer
	if err := htmlreport.Write(&page, res); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.Count(page.String(), `<section id=`), "sections,", strings.Count(page.String(), `<div class="plot"`), "charts")
	// Output: 10 sections, 17 charts
}
