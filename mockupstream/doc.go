// Package mockupstream is a fault-injecting HTTP upstream that runs on
// loopback: the ground truth of every fanbench experiment.
//
// Each request's latency and fault are drawn from a hash of (seed, upstream
// name, operation seq, attempt). The seq and attempt travel in the request
// headers Fanbench-Seq and Fanbench-Attempt, so every strategy that sends the
// same operation meets exactly the same upstream behaviour (paired draws), and
// anyone holding the Config can compute the draw of any request without
// sending it (see Drawer).
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
//	resp, err := http.Get(srv.URL() + "/users/1")
package mockupstream
