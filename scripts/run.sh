#!/usr/bin/env bash
# make run: local services, build, migrate, admin key, demo data, then `passerelle serve` in the
# background on LISTEN_ADDR (default 127.0.0.1:8080). A second run reuses the services and
# restarts only passerelle.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/.data"
BIN="$DATA/bin/passerelle"
PIDFILE="$DATA/pids/passerelle.pid"
LOG="$DATA/logs/passerelle.log"
cd "$ROOT"

die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# Keep a LISTEN_ADDR given by the caller; stack.env does not set it.
LISTEN_ADDR="${LISTEN_ADDR:-127.0.0.1:8080}"

bash "$ROOT/scripts/stack.sh" up
# shellcheck disable=SC1091
. "$DATA/stack.env"
export LISTEN_ADDR

echo "building .data/bin/passerelle ..."
mkdir -p "$DATA/bin" "$DATA/logs" "$DATA/pids"
go build -o "$BIN" ./cmd/passerelle

echo "migrating ..."
"$BIN" migrate

if "$BIN" keys --help >/dev/null 2>&1 && [ ! -s "$DATA/admin.key" ]; then
  echo "creating the development admin key (.data/admin.key) ..."
  (umask 077; "$BIN" keys create --role admin --name dev-admin --quiet >"$DATA/admin.key.tmp")
  mv "$DATA/admin.key.tmp" "$DATA/admin.key"
  chmod 600 "$DATA/admin.key"
fi

if "$BIN" seed --help >/dev/null 2>&1; then
  echo "loading the demo data ..."
  "$BIN" seed demo
fi

# Stop the previous server (only the one we started: pid file + command line check).
if [ -s "$PIDFILE" ]; then
  bash "$ROOT/scripts/stack.sh" stop-one passerelle
fi

# Where to probe: a wildcard or empty host is reached through 127.0.0.1.
host="${LISTEN_ADDR%:*}"; port="${LISTEN_ADDR##*:}"
case "$host" in ""|0.0.0.0|"[::]"|"::") host=127.0.0.1 ;; esac
base="http://$host:$port"
if curl -fsS --max-time 1 -o /dev/null "$base/healthz" 2>/dev/null ||
   (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
  die "$LISTEN_ADDR is already in use by a process this script did not start; set LISTEN_ADDR=127.0.0.1:PORT"
fi

printf '\n=== %s starting passerelle serve on %s ===\n' "$(date -u +%FT%TZ)" "$LISTEN_ADDR" >>"$LOG"
(exec setsid nohup "$BIN" serve >>"$LOG" 2>&1 </dev/null) &
pid=$!
printf '%s' "$pid" >"$PIDFILE"

ready=0
for ((i = 0; i < 240; i++)); do
  if [ "$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$base/readyz" 2>/dev/null)" = 200 ]; then
    ready=1; break
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.25
done
if [ "$ready" != 1 ]; then
  echo "--- last lines of .data/logs/passerelle.log ---" >&2
  tail -n 40 "$LOG" >&2 || true
  echo "---" >&2
  if kill -0 "$pid" 2>/dev/null; then
    die "passerelle (pid $pid) did not answer $base/readyz with 200 within 60s (still running; make stop to stop it)"
  fi
  rm -f "$PIDFILE"
  die "passerelle exited before $base/readyz answered 200"
fi

shown="http://localhost:$port"
[ "$host" = 127.0.0.1 ] || shown="$base"
cat <<EOF

Passerelle is running (pid $pid).
  API        $shown/v1
  docs       $shown/docs
  OpenAPI    $shown/openapi.yaml
  metrics    $shown/metrics
  mail inbox ${MAILDEV_URL:-"(external SMTP: $SMTP_URL)"}
EOF
if [ -s "$DATA/admin.key" ]; then
  printf '  admin key  %s   (also in .data/admin.key)\n' "$(cat "$DATA/admin.key")"
fi
# The demo adviser of the Gonesse programme, signed in in one click.
DEMO_ADVISER="samia.exemple@fabrique-gonesse.example.org"
if link="$("$BIN" signin-link --email "$DEMO_ADVISER" 2>/dev/null)"; then
  printf '  console    %s/console/\n' "$shown"
  printf '  sign in as %s (single use, 15 minutes):\n             %s\n' "$DEMO_ADVISER" "$link"
fi
# The demo bakery's manager, in the company space.
DEMO_COMPANY_USER="marc.exemple@boulangerie-vieux-pays.example.org"
if link="$("$BIN" signin-link --email "$DEMO_COMPANY_USER" 2>/dev/null)"; then
  printf '  sign in as the bakery, company space (single use, 15 minutes):\n             %s\n' "$link"
fi
echo
echo "make stop to stop everything; logs in .data/logs/"
