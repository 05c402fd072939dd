#!/usr/bin/env bash
# browser-deps.sh — make sure the browser tests have what they need, and
# print the two variables they read:
#   CHROMIUM=<path>      Debian's chromium (installed with apt-get when missing, as root)
#   AXE_CORE_JS=<path>   axe-core from npm, pinned, in .tools/ (git-ignored)
# Progress goes to stderr; only the variables go to stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
axe_version=4.14.1
say() { printf 'browser-deps: %s\n' "$*" >&2; }

chromium=$(command -v chromium || true)
if [ -z "$chromium" ]; then
	[ "$(id -u)" = 0 ] || { say "chromium is not installed: install Debian's chromium package"; exit 1; }
	say "installing Debian's chromium package"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 && apt-get install -y -qq chromium >&2
	chromium=$(command -v chromium)
fi

axe="$root/.tools/node_modules/axe-core/axe.min.js"
if ! grep -qs "axe v$axe_version" "$axe"; then
	say "installing axe-core $axe_version from npm"
	npm install --silent --no-save --no-audit --no-fund --prefix "$root/.tools" "axe-core@$axe_version" >&2
fi
echo "CHROMIUM=$chromium"
echo "AXE_CORE_JS=$axe"
