// Package mockupstream is a fault-injecting HTTP upstream that runs on
// loopback: the ground truth of every fanbench experiment.
//
// Each request's latency and fault are drawn from a hash of (seed, upstream
// name, operation seq, attempt). The seq and attempt travel in the request
// headers Fanbench-Seq and Fanbench-Attempt, so every strategy that sends the
// same operation meets exactly the same upstream behaviour (paired draws), and
// anyone holding the Config can compute the draw of any request without
// sending it (Compile, NewDrawer, Drawer.Draw). A request without the headers
// takes its seq from a counter, so curl or vegeta can use the mock as well.
//
// A Server delays each answer by the drawn latency, giving up at once when
// the client does, then answers the drawn status with a small JSON body and
// a Fanbench-Upstream header. Stats counts what it received and answered.
//
// It imports nothing of the rest of fanbench but its value types (package
// units), so it also runs on its own, for other tools to use.
//
//	srv, err := mockupstream.Start(mockupstream.Options{
//		Name:   "profile",
//		Seed:   42,
//		Config: mockupstream.Config{Latency: mockupstream.Latency{Value: units.Duration(200 * time.Millisecond)}},
//	})
//	if err != nil { ... }
//	defer srv.Close()
//	req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/users/1", nil)
//	req.Header.Set(mockupstream.HeaderSeq, "1")
//	resp, err := client.Do(req)
package mockupstream
