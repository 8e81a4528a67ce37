# fanbench — see README.md. `make demo` and `make test` are all a fresh
# checkout needs.

GO       ?= go
FUZZTIME ?= 10s
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS  := -X main.versionOverride=$(VERSION) -X main.commitOverride=$(COMMIT)

.PHONY: all build test vet staticcheck unit bench fuzz demo clean

all: build

## build: compile bin/fanbench
build:
	$(GO) build -ldflags '$(LDFLAGS)' -o bin/fanbench ./cmd/fanbench

## test: go vet, staticcheck, and every package's tests under the race detector
test: vet staticcheck unit

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) tool staticcheck ./...

unit:
	$(GO) test -race -count=1 ./...

## bench: every benchmark, with allocations
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## fuzz: a short run ($(FUZZTIME)) of every fuzz target
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$target"; \
			$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

## demo: run the built-in seed example on embedded mock upstreams; writes demo/result.json
demo: build
	@mkdir -p demo
	bin/fanbench run --example seed --out demo/result.json

clean:
	rm -rf bin demo
