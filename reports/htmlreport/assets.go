package htmlreport

import (
	_ "embed"
)

// echartsJS is ECharts 5.6.0's echarts.common.min.js (Apache-2.0; see
// assets/README.md), inlined in every page so that it renders offline. The
// file holds neither "</script" nor "<!--", so it is safe inside a script
// element.
//
//go:embed assets/echarts.common.min.js
var echartsJS string

// echartsVersion is said in the page's footer.
const echartsVersion = "5.6.0"

//go:embed assets/page.tmpl
var pageTemplate string

//go:embed assets/report.css
var reportCSS string

// reportJS draws the charts from their JSON options; see assets/report.js.
//
//go:embed assets/report.js
var reportJS string
