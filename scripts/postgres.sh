#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the journal tests.
#
#   scripts/postgres.sh start   install Debian's postgresql if missing, initdb in a temp dir,
#                               start it on a free 127.0.0.1 port and print its URL
#                               (reuses a server this script already started)
#   scripts/postgres.sh url     print the URL of the running server (exit 1 if none)
#   scripts/postgres.sh stop    stop it and remove the temp dir
#
# State lives in $PHOTODOSE_PG_DIR (default: $TMPDIR/photodose-pg-$UID). PostgreSQL refuses to
# run as root, so as root the server runs as the `postgres` user (created by the package).
# Only the URL goes to stdout; progress goes to stderr.
set -euo pipefail

DIR="${PHOTODOSE_PG_DIR:-${TMPDIR:-/tmp}/photodose-pg-$(id -u)}"
DB=photodose_test
ROLE=photodose

log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ] && { pg_config --bindir; return 0; }
  return 1
}

install_pg() {
  log "installing Debian's postgresql"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2
}

as_owner() {  # run a command as the server's OS user
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

running() {
  [ -f "$DIR/url" ] && [ -f "$DIR/data/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
}

cmd="${1:-start}"
BIN="$(find_bindir || true)"

case "$cmd" in
  url)
    [ -n "$BIN" ] && running && { cat "$DIR/url"; exit 0; }
    exit 1
    ;;
  stop)
    if [ -n "$BIN" ] && [ -d "$DIR/data" ]; then
      as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >&2 || true
    fi
    rm -rf "$DIR"
    exit 0
    ;;
  start)
    if [ -z "$BIN" ]; then
      install_pg
      BIN="$(find_bindir)" || { log "postgresql did not install"; exit 1; }
    fi
    if running; then
      cat "$DIR/url"
      exit 0
    fi
    rm -rf "$DIR"
    mkdir -p "$DIR"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres "$DIR"
    fi
    chmod 700 "$DIR"
    port="$(free_port)"
    as_owner "$BIN/initdb" -D "$DIR/data" -U "$ROLE" -A trust --no-sync -E UTF8 >"$DIR/../photodose-pg-initdb-$(id -u).log" 2>&1 \
      || { log "initdb failed"; cat "$DIR/../photodose-pg-initdb-$(id -u).log" >&2; exit 1; }
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 \
      -o "-h 127.0.0.1 -p $port -k $DIR -c fsync=off -c full_page_writes=off -c max_connections=50" start >&2 \
      || { log "server did not start"; cat "$DIR/server.log" >&2 || true; exit 1; }
    as_owner "$BIN/createdb" -h 127.0.0.1 -p "$port" -U "$ROLE" "$DB"
    url="postgresql://$ROLE@127.0.0.1:$port/$DB"
    echo "$url" | as_owner tee "$DIR/url" >/dev/null
    log "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') at $url (data in $DIR)"
    echo "$url"
    ;;
  *)
    echo "usage: $0 start|url|stop" >&2
    exit 2
    ;;
esac
