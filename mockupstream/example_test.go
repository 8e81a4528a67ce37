package mockupstream_test

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/fanbench/fanbench/draws"
	"github.com/fanbench/fanbench/mockupstream"
	"github.com/fanbench/fanbench/units"
)

// The runner computes, without sending anything, the behaviour a mock
// upstream will show for each operation: the same in every strategy.
func ExampleDrawer() {
	b, err := mockupstream.Compile(mockupstream.Config{
		Latency: draws.Latency{Dist: draws.DistUniform, Min: units.Duration(10 * time.Millisecond), Max: units.Duration(30 * time.Millisecond)},
		Errors:  map[int]units.Fraction{503: 0.3},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	d := mockupstream.NewDrawer(42, "profile", b)
	for seq := range uint64(6) {
		dr := d.Draw(seq, 0)
		fmt.Println(seq, dr.Latency.Round(time.Microsecond), dr.Status)
	}
	// Output:
	// 0 11.116ms 200
	// 1 13.653ms 200
	// 2 17.165ms 200
	// 3 11.61ms 200
	// 4 11.322ms 200
	// 5 11.518ms 503
}

func ExampleStart() {
	srv, err := mockupstream.Start(mockupstream.Options{
		Name:   "profile",
		Seed:   42,
		Config: mockupstream.Config{Latency: draws.Latency{Value: units.Duration(5 * time.Millisecond)}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodPut, srv.URL()+"/users/12", nil)
	req.Header.Set(draws.HeaderSeq, "12")
	req.Header.Set(draws.HeaderAttempt, "0")
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.StatusCode, " ", string(body))
	// Output:
	// 200 {"upstream":"profile","seq":12,"attempt":0}
}
