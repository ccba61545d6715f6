#!/usr/bin/env bash
# make test: make sure the local services run (reusing any already running; nothing is stopped
# afterwards), then the API contract checks (scripts/contract.sh), go vet, staticcheck,
# golangci-lint (.golangci.yml: 0 findings) and the race-enabled test suite with the service
# addresses exported.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
STATICCHECK_VERSION="${STATICCHECK_VERSION:-v0.8.2}"
GOLANGCI_LINT_VERSION="${GOLANGCI_LINT_VERSION:-v2.15.0}" # the Makefile's pin

bash "$ROOT/scripts/stack.sh" up
# shellcheck disable=SC1091
. "$ROOT/.data/stack.env"
export DATABASE_URL PASSERELLE_TEST_DATABASE_URL MEILI_URL MEILI_MASTER_KEY SMTP_URL MAILDEV_URL MEILI_BIN PASSERELLE_DATA_KEY

step() { printf '\n==> %s\n' "$*"; }

# The console's browser tests (web/webtest) drive a real headless Chromium: Debian's package,
# installed when missing as stack.sh installs PostgreSQL. axe-core comes from tools/npm
# (installed with its integrity checked into .data/npm by stack.sh up).
if [ -z "${CHROMIUM_PATH:-}" ]; then
  CHROMIUM_PATH="$(command -v chromium || command -v chromium-browser || true)"
  if [ -z "$CHROMIUM_PATH" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      step "Chromium is missing: installing it with apt-get (browser tests)"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -q >/dev/null
      apt-get install -y -q --no-install-recommends chromium </dev/null
      CHROMIUM_PATH="$(command -v chromium)"
    else
      echo "ERROR: Chromium is required by the console's browser tests: sudo apt-get install -y chromium (or set CHROMIUM_PATH)" >&2
      exit 1
    fi
  fi
fi
export CHROMIUM_PATH
export AXE_JS="${AXE_JS:-$ROOT/.data/npm/node_modules/axe-core/axe.min.js}"

# The API contract: Redocly on both specs, generated clients current, no
# unannounced breaking change (docs/integrators.md).
step "API contract (scripts/contract.sh)"
bash "$ROOT/scripts/contract.sh"

step "go vet ./..."
go vet ./...

step "staticcheck ($STATICCHECK_VERSION) ./..."
go run "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" ./...

step "golangci-lint ($GOLANGCI_LINT_VERSION) run ./..."
go run "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$GOLANGCI_LINT_VERSION" run ./...

step "go test -race -count=1 ./..."
go test -race -count=1 "$@" ./...
