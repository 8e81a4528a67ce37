# fanbench — see README.md. `make demo` and `make test` are all a fresh
# checkout needs.

GO       ?= go
FUZZTIME ?= 10s
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS  := -X main.versionOverride=$(VERSION) -X main.commitOverride=$(COMMIT)

.PHONY: all build test test-slow vet staticcheck unit bench bench-async bench-capacity bench-accuracy bench-memory bench-scale bench-wide bench-jetstream bench-agents fuzz demo baseline docs clean

all: build

## build: compile bin/fanbench
build:
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/fanbench ./cmd/fanbench

## test: go vet, staticcheck, and every package's tests under the race detector (but for
## the two of test-slow); three packages at a time, as most of their tests wait on loopback
## servers and child processes rather than compute, the slowest first
test: vet staticcheck unit

# The packages whose tests take longest, named first so that go test starts them first and
# the short ones fill the slots beside them: in ./... order the longest (runner) started last
# and ran on alone. The browser tests' package, the most CPU, comes fifth: it starts when the
# runner's serial timing tests (its first 20 s) are about done, not beside them. See
# docs/performance.md, test time.
SLOWEST := ./runner ./cluster ./cmd/fanbench ./strategies ./reports/htmlreport ./internal/faults

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) tool staticcheck ./...

unit:
	$(GO) test -race -count=1 -p 3 $(SLOWEST) ./...

## test-slow: the statistical end-to-end tests of fanbench compare, which need real time and a
## machine not busy with other tests: they run first, on their own, then the rest of the package.
## .ci/run calls it after make test.
test-slow:
	FANBENCH_SLOW=1 $(GO) test -race -count=1 ./cmd/fanbench

## bench: every benchmark, with allocations
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## bench-async: how closely callback and poll completions, as measured, follow the mocks'
## drawn completion times, from the mock's receipt of each request (1,000 calls at 500/s per
## mode, in-process, polls every 1 ms, ~5 s); target 1 ms at p50 and 3 ms at p99 (err). Poll
## mode splits its error into the schedule's quantisation (quant) and the answer's trip (path)
bench-async:
	$(GO) test -run '^$$' -bench CompletionAccuracy -benchtime 1x ./strategies

## bench-capacity: fanbench (one call per operation and a fan-out of two) vs wrk (when
## installed) vs vegeta vs a bare net/http loop, POST, 64 in flight each, against one standalone
## mock process, 3 interleaved rounds of 5 s, ~90 s; prints the medians and every ratio.
## SPEEDFLAGS passes flags to any bench-* check, e.g. SPEEDFLAGS='--rounds 3 --duration 5s'
bench-capacity: build
	$(GO) run ./internal/speedcheck capacity --fanbench bin/fanbench $(SPEEDFLAGS)

## bench-accuracy: harness overhead at 1,000 operations/s over a 10 ms upstream, fanbench
## against vegeta on one standalone mock process, 3 interleaved rounds of 5 s, ~55 s;
## prints p50 and p99 of each and whether fanbench's is no worse than vegeta's
bench-accuracy: build
	$(GO) run ./internal/speedcheck accuracy --fanbench bin/fanbench $(SPEEDFLAGS)

## bench-memory: peak RSS of a 10 s and a 60 s run at 5,000 operations/s, ~75 s
bench-memory: build
	$(GO) run ./internal/speedcheck memory --fanbench bin/fanbench $(SPEEDFLAGS)

## bench-scale: 10,000 operations in flight (5,000/s of 2 s, one call each) for 10 s, no drops;
## SPEEDFLAGS="--rate 2500 --calls 2" for a fan-out of two (10,000 connections either way)
bench-scale: build
	$(GO) run ./internal/speedcheck scale --fanbench bin/fanbench $(SPEEDFLAGS)

## bench-wide: a 100-way fan-out at 200 operations/s (20,000 calls/s) after a 2 s ramp, the shard a
## standalone mock process at nice 15 (SPEEDFLAGS=--mock=inprocess: in fanbench's process);
## prints the harness overhead p99 (target <= 5 ms), ~15 s
bench-wide: build
	$(GO) run ./internal/speedcheck wide --fanbench bin/fanbench $(SPEEDFLAGS)

## bench-jetstream: fanbench's JetStream broker (BenchmarkPublish) against nats bench js pub
## (natscli, pinned in go.mod) on one nats-server process on loopback: sync and async, memory
## and file, interleaved, 3 rounds; prints the medians and their ratio (target >= 0.8), ~1 minute
## after the builds (nats-server and nats take about a minute each without a build cache)
bench-jetstream:
	$(GO) run ./internal/speedcheck jetstream --rounds 3 $(SPEEDFLAGS)

## bench-agents: distributed runs on one machine, interleaved with single-process runs, 3
## rounds: maximum throughput of 1 local agent against 1 process (target ratio >= 0.95), and
## p50/p99 of 3 local agents against 1 process on fixed-latency mocks (target within 1%), ~2 min
bench-agents:
	$(GO) test -run '^$$' -bench LocalAgents -benchtime 1x -v ./cluster

## fuzz: a short run ($(FUZZTIME)) of every fuzz target
fuzz:
	@GO=$(GO) FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

## demo: run the built-in seed example on embedded mock upstreams; writes demo/result.json
## and demo/report.html (open it in a browser; it works offline)
demo: build
	@mkdir -p demo
	bin/fanbench run --example seed --out demo/result.json --html demo/report.html

## baseline: run SCENARIO (an embedded example's name or a scenario file; default seed) and
## write baselines/<scenario>.json, atomically, for fanbench compare to gate on
SCENARIO ?= seed
baseline: build
	@mkdir -p baselines
	bin/fanbench run $(if $(wildcard $(SCENARIO)),$(SCENARIO),--example $(SCENARIO)) --out baselines/$(basename $(notdir $(SCENARIO))).json

## docs: regenerate the CLI reference in docs/cli/ from the cobra commands; make test fails
## when it is out of date (TestCLIDocs in cmd/fanbench)
docs:
	$(GO) test ./cmd/fanbench -run '^TestCLIDocs$$' -count=1 -update

clean:
	rm -rf bin demo
