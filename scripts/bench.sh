#!/usr/bin/env bash
# bench.sh — run every Go benchmark and write the figures to BENCHMARKS.md,
# with the machine, the date and the commit they were measured on.
set -euo pipefail
cd "$(dirname "$0")/.."

# The commit is read before BENCHMARKS.md is rewritten (which would make it "dirty").
commit=$(git describe --always --dirty 2>/dev/null || echo unknown)
out=$(mktemp)
load=$(mktemp)
trap 'rm -f "$out" "$load"' EXIT
go test -run '^$' -bench . -benchmem -count 1 ./... | tee "$out" >&2
# The load tests run against the real binary, built as `make build` builds it.
go build -o bin/ohcontact ./cmd/ohcontact
go run ./scripts/load sms -bin bin/ohcontact > "$load"
go run ./scripts/load chat -bin bin/ohcontact >> "$load"
go run ./scripts/load signin -bin bin/ohcontact >> "$load"
go run ./scripts/load crisis -bin bin/ohcontact >> "$load"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || echo unknown)
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
{
	echo "# Benchmarks"
	echo
	echo "Written by \`make bench\` (scripts/bench.sh); do not edit by hand. Speed and memory targets live here, not in"
	echo "timed unit tests."
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- commit: $commit"
	echo "- machine: $cpu, $(nproc) cores, $mem; $(go version | cut -d' ' -f3-4)"
	echo
	echo "| package | benchmark | ns/op | B/op | allocs/op | other |"
	echo "|---|---|---:|---:|---:|---|"
	awk '
		/^pkg: / { pkg = $2; sub(/^github.com\/ohcontact\/ohcontact\/?/, "", pkg); if (pkg == "") pkg = "." }
		/^Benchmark/ {
			ns = b = allocs = ""; other = ""
			for (i = 3; i < NF; i += 2) {
				if ($(i+1) == "ns/op") ns = $i
				else if ($(i+1) == "B/op") b = $i
				else if ($(i+1) == "allocs/op") allocs = $i
				else other = other $i " " $(i+1) " "
			}
			name = $1; sub(/-[0-9]+$/, "", name)
			printf "| %s | %s | %s | %s | %s | %s |\n", pkg, name, ns, b, allocs, other
		}' "$out"
	echo
	cat "$load"
	if [ -f docs/benchmarks-notes.md ]; then echo; cat docs/benchmarks-notes.md; fi
} > BENCHMARKS.md
echo "wrote BENCHMARKS.md" >&2
