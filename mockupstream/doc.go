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
// A Server delays each answer by the drawn latency (any of the
// distributions of Latency), giving up at once when the client does, then
// answers the drawn status, or breaks the connection with the drawn fault
// (hang, reset, empty or malformed reply). Around the draws sit the parts of
// a real server that depend on the load: a token bucket answering 429 with
// Retry-After, a finite capacity with a bounded queue, paced bodies, and
// incidents that change any of it for a time window. The Ledger records
// every Idempotency-Key, so a run can count delivered, duplicated and lost
// calls. Stats counts what it received and answered; the admin endpoints
// under AdminPrefix (/__fanbench/) serve stats, the ledger, reset and the
// config (GET, and PUT to change it while running).
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
