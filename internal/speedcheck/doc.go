// Command speedcheck runs the speed checks of fanbench that need whole
// processes: capacity against vegeta and a bare net/http loop, flat memory
// over a long run, and 5,000 operations in flight. Each prints its figures
// and the targets they are held to; none of them is part of make test.
//
//	go run ./internal/speedcheck capacity --fanbench bin/fanbench
//	go run ./internal/speedcheck memory   --fanbench bin/fanbench
//	go run ./internal/speedcheck scale    --fanbench bin/fanbench
//
// (make bench-capacity, make bench-memory and make bench-scale build
// bin/fanbench first.) All traffic goes to 127.0.0.1.
package main
