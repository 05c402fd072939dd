# ohcontact — two commands on a fresh machine:
#   make run    start a local PostgreSQL (unless DATABASE_URL is set) and serve the demo
#   make test   gofmt check, go vet, staticcheck (make lint), the whole test suite
#               under the race detector
#               (browser tests included: Debian's chromium and axe-core from npm are
#               installed first when missing, by scripts/browser-deps.sh), then each
#               fuzz target for FUZZTIME (see make fuzz)
#
# Without DATABASE_URL, scripts/localpg.sh starts a project-local PostgreSQL
# cluster in .pgdata/ from the machine's binaries (installing Debian's package
# when they are missing) and reuses it on the next run.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

# database URL for the named database: DATABASE_URL when set, else the local cluster's.
db_url = $${DATABASE_URL:-$$(scripts/localpg.sh $(1))}

.PHONY: build run test fuzz vet lint fmt-check bench db-stop clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/ohcontact ./cmd/ohcontact

run: build
	url=$(call db_url,ohcontact); DATABASE_URL="$$url" bin/ohcontact serve --demo

test: fmt-check vet lint
	deps=$$(scripts/browser-deps.sh); url=$(call db_url,postgres); \
	env $$deps DATABASE_URL="$$url" $(GO) test -race -count=1 -timeout 30m ./...
	$(MAKE) --no-print-directory fuzz

# Each fuzz target for FUZZTIME: the SMS webhook's form, CSV imports and the
# HR API's JSON body. go test fuzzes one target per run; new inputs found
# are kept in the build cache, and a failing one is written to the
# package's testdata/fuzz/ (commit it: it becomes a seed). Minimising a new
# input is capped so a short run fuzzes rather than minimises.
FUZZTIME ?= 5s
FUZZ_TARGETS := FuzzInbound:./channels/sms FuzzCSV:./triggers FuzzReadBody:./triggers

fuzz:
	for t in $(FUZZ_TARGETS); do \
	  $(GO) test -run='^$$' -fuzz="^$${t%%:*}$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=200ms "$${t#*:}"; \
	done

vet:
	$(GO) vet ./...

# staticcheck at a pinned version, run with go run pkg@version: the module
# proxy and checksum database pin it as go.mod would, and its own
# dependencies stay out of the service's module graph (a tool directive in
# go.mod would add them to go.mod and go.sum, where they could move the
# versions the service builds with). The first run downloads and builds it.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint:
	$(GO) run $(STATICCHECK) ./...

fmt-check:
	@unformatted=$$(gofmt -l $$(find . -name '*.go' -not -path './.pgdata/*' -not -path '*/node_modules/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi

# Benchmarks, with figures written to BENCHMARKS.md (machine, date, commit).
bench:
	url=$(call db_url,postgres); DATABASE_URL="$$url" scripts/bench.sh

# Stop the local PostgreSQL cluster (its data stays).
db-stop:
	scripts/localpg.sh --stop

clean:
	rm -rf bin
