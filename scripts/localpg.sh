#!/usr/bin/env bash
# localpg.sh DBNAME — start (or reuse) the project-local PostgreSQL cluster and
# print a connection URL for DBNAME on it, creating the database if needed.
# localpg.sh --stop — stop the cluster (its data stays).
#
# The cluster lives in .pgdata/ (git-ignored) and is started from the machine's
# PostgreSQL binaries on a free loopback port, which is kept for the next run.
# As root it runs as the 'postgres' user (PostgreSQL refuses to run as root);
# when the binaries are missing and we are root, Debian's postgresql package is
# installed first. Progress goes to stderr; only the URL goes to stdout.
set -euo pipefail

dbname=${1:?usage: localpg.sh DBNAME}
root=$(cd "$(dirname "$0")/.." && pwd)
say() { printf 'localpg: %s\n' "$*" >&2; }

find_bindir() {
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
		[ -x "$d/initdb" ] && { echo "$d"; return; }
	done
	command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)"
}

bindir=$(find_bindir || true)
if [ -z "$bindir" ]; then
	[ "$(id -u)" = 0 ] || { say "PostgreSQL binaries not found; install PostgreSQL or set DATABASE_URL"; exit 1; }
	say "installing Debian's postgresql package"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
	bindir=$(find_bindir)
fi

# as_pg runs a command as the cluster's owner.
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
	as_pg() { (cd / && runuser -u postgres -- "$@"); }
else
	as_pg() { "$@"; }
fi

# The data folder must be writable by the owner; a checkout the postgres user
# cannot enter (under /root, say) gets one in /var/tmp instead.
data="$root/.pgdata"
mkdir -p "$data"
if [ "$(id -u)" = 0 ]; then
	chown postgres: "$data" && chmod 700 "$data"
	if ! as_pg test -w "$data"; then
		data="/var/tmp/ohcontact-pg-$(printf '%s' "$root" | sha1sum | cut -c1-12)"
		mkdir -p "$data" && chown postgres: "$data" && chmod 700 "$data"
	fi
fi

if [ "$dbname" = --stop ]; then
	[ -f "$data/PG_VERSION" ] && as_pg "$bindir/pg_ctl" -D "$data" stop -m fast >&2
	exit 0
fi

if [ ! -f "$data/PG_VERSION" ]; then
	say "creating a cluster in $data"
	as_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
fi

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
	port=$(sed -n 4p "$data/postmaster.pid")
else
	port=$(cat "$data/ohcontact.port" 2>/dev/null || echo 55432)
	while ! port_free "$port"; do port=$((port + 1)); done
	echo "$port" | as_pg tee "$data/ohcontact.port" >/dev/null
	say "starting PostgreSQL on 127.0.0.1:$port"
	as_pg "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start \
		-o "-p $port -c listen_addresses=127.0.0.1 -k $data -c max_connections=300 -c shared_buffers=256MB" >/dev/null \
		|| { say "PostgreSQL did not start; its log:"; tail -20 "$data/server.log" >&2; exit 1; }
fi

psql=("$bindir/psql")
[ -x "${psql[0]}" ] || psql=(psql)
q() { "${psql[@]}" -X -q -t -A -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "$1"; }
if [ -z "$(q "SELECT 1 FROM pg_database WHERE datname = '$dbname'")" ]; then
	q "CREATE DATABASE \"$dbname\"" >/dev/null
fi
echo "postgres://postgres@127.0.0.1:$port/$dbname?sslmode=disable"
