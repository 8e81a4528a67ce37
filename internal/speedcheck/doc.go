// Command speedcheck runs the speed checks of fanbench that need whole
// processes: capacity against wrk, vegeta and a bare net/http loop, the
// harness overhead against vegeta's, flat memory over a long run, 5,000
// operations in flight, and a 100-way fan-out. Each prints its figures and
// the targets they are held to; none of them is part of make test.
//
//	go run ./internal/speedcheck capacity --fanbench bin/fanbench
//	go run ./internal/speedcheck accuracy --fanbench bin/fanbench
//	go run ./internal/speedcheck memory   --fanbench bin/fanbench
//	go run ./internal/speedcheck scale    --fanbench bin/fanbench
//	go run ./internal/speedcheck wide     --fanbench bin/fanbench
//
// (the make bench-* targets build bin/fanbench first.) All traffic goes to
// 127.0.0.1.
package main
