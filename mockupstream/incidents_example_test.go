package mockupstream_test

import (
	"fmt"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/units"
)

// The runner knows the ideal latency of an operation under an incident:
// DrawAt takes the time since the server's start. Draw is the behaviour
// outside every incident.
func ExampleDrawer_DrawAt() {
	b, err := mockupstream.Compile(mockupstream.Config{
		Latency: draws.Latency{Value: units.Duration(20 * time.Millisecond)},
		Incidents: []mockupstream.Incident{{
			Name: "brownout", From: units.Duration(20 * time.Second), To: units.Duration(30 * time.Second),
			LatencyScale: 10, Errors: map[int]units.Fraction{503: 0.5},
		}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	d := mockupstream.NewDrawer(42, "profile", b)
	for _, elapsed := range []time.Duration{0, 25 * time.Second, 30 * time.Second} {
		dr := d.DrawAt(elapsed, 2, 0)
		fmt.Println(elapsed, dr.Latency, dr.Status, dr.Fault)
	}
	fmt.Println("Draw:", d.Draw(2, 0).Latency)
	// Output:
	// 0s 20ms 200 none
	// 25s 200ms 503 status
	// 30s 20ms 200 none
	// Draw: 20ms
}
