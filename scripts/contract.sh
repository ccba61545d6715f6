#!/usr/bin/env bash
# The API contract checks (part of `make test`; `make contract` alone):
#   1. Redocly CLI (recommended rules) on openapi/openapi.yaml and openapi-3.0.yaml: 0 errors, 0 warnings;
#   2. the generated clients are current: oapi-codegen (Go, client/client.gen.go, from the 3.0 spec) and
#      openapi-typescript (client/typescript/schema.d.ts, from the 3.1 spec);
#   3. no breaking change the version does not announce: oasdiff compares openapi/openapi-3.0.yaml with the
#      spec of the last release tag (v*), or, before the first tag, with the newest committed baseline
#      openapi/released/vX.Y.Z/openapi-3.0.yaml; a breaking change needs a new major info.version
#      (passerelle.Version). A self-test first shows that the check catches a removed operation.
#
#   scripts/contract.sh            check (what make test runs)
#   scripts/contract.sh generate   rewrite the generated clients (make clients)
#
# Needs the npm tools of tools/npm in .data/npm (scripts/stack.sh up installs them).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OAPI_CODEGEN_VERSION="v2.8.2"
OASDIFF_VERSION="v1.39.0"
NPM_MODULES="$ROOT/.data/npm/node_modules"
NPM_BIN="$NPM_MODULES/.bin"
for tool in redocly openapi-typescript; do
  [ -x "$NPM_BIN/$tool" ] || { echo "contract: $tool missing in .data/npm: run scripts/stack.sh up" >&2; exit 1; }
done

step() { printf '\n==> %s\n' "$*"; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# generate_clients DIR writes client.gen.go and schema.d.ts into DIR.
generate_clients() {
  sed "s#^output: .*#output: $1/client.gen.go#" client/oapi-codegen.yaml >"$1/oapi-codegen.yaml"
  go run "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@$OAPI_CODEGEN_VERSION" \
    -config "$1/oapi-codegen.yaml" openapi/openapi-3.0.yaml
  "$NPM_BIN/openapi-typescript" openapi/openapi.yaml -o "$1/schema.d.ts" >/dev/null
}

if [ "${1:-check}" = generate ]; then
  generate_clients "$tmp"
  mv "$tmp/client.gen.go" client/client.gen.go
  mv "$tmp/schema.d.ts" client/typescript/schema.d.ts
  echo "wrote client/client.gen.go and client/typescript/schema.d.ts"
  exit 0
fi

step "Redocly lint (recommended rules: 0 errors, 0 warnings)"
for spec in openapi/openapi.yaml openapi/openapi-3.0.yaml; do
  "$NPM_BIN/redocly" lint "$spec" --format json >"$tmp/lint.json" 2>"$tmp/lint.err" || true
  problems="$(node -e 'const r = require(process.argv[1]); const t = r.totals || {}; console.log((t.errors || 0) + (t.warnings || 0))' "$tmp/lint.json" 2>/dev/null || echo unreadable)"
  if [ "$problems" != 0 ]; then
    "$NPM_BIN/redocly" lint "$spec" --format stylish 2>&1 | grep -v '║\|╔\|╚' >&2 || true
    echo "contract: Redocly finds $problems problems in $spec" >&2
    exit 1
  fi
  echo "$spec: 0 errors, 0 warnings"
done

step "generated clients are current (oapi-codegen $OAPI_CODEGEN_VERSION, openapi-typescript)"
generate_clients "$tmp"
if ! cmp -s "$tmp/client.gen.go" client/client.gen.go || ! cmp -s "$tmp/schema.d.ts" client/typescript/schema.d.ts; then
  echo "contract: client/ is stale: run \`make clients\` and commit the result" >&2
  exit 1
fi
echo "client/client.gen.go and client/typescript/schema.d.ts match the specs"

step "no unannounced breaking change (oasdiff $OASDIFF_VERSION)"
OASDIFF=("go" "run" "github.com/oasdiff/oasdiff@$OASDIFF_VERSION")
"${OASDIFF[@]}" --version >/dev/null # build it once
base=""
tag="$(git tag --list 'v[0-9]*' --sort=-v:refname 2>/dev/null | head -n 1 || true)"
if [ -n "$tag" ] && git cat-file -e "$tag:openapi/openapi-3.0.yaml" 2>/dev/null; then
  git show "$tag:openapi/openapi-3.0.yaml" >"$tmp/base.yaml"
  base="$tmp/base.yaml"
  echo "baseline: the release tag $tag"
else
  base="$(find openapi/released -name openapi-3.0.yaml | sort -V | tail -n 1)"
  [ -n "$base" ] || { echo "contract: no release tag and no baseline under openapi/released/" >&2; exit 1; }
  echo "baseline: $base (no release tag yet)"
fi

# Self-test: a revision without GET /v1/offers/{id} is breaking; it fails the
# check at the same major version and passes it once the major version grows.
NODE_PATH="$NPM_MODULES" node -e '
  const fs = require("fs"), yaml = require("js-yaml");
  const spec = yaml.load(fs.readFileSync("openapi/openapi-3.0.yaml", "utf8"));
  delete spec.paths["/v1/offers/{id}"].get;
  fs.writeFileSync(process.argv[1], JSON.stringify(spec));
  const major = Number(spec.info.version.split(".")[0]);
  spec.info.version = (major + 1) + ".0.0";
  fs.writeFileSync(process.argv[2], JSON.stringify(spec));
' "$tmp/broken.json" "$tmp/broken-bumped.json"
if "${OASDIFF[@]}" breaking openapi/openapi-3.0.yaml "$tmp/broken.json" --fail-on MISSING-VERSION-BUMP >/dev/null 2>&1; then
  echo "contract: self-test: oasdiff did not refuse a removed operation at the same major version" >&2
  exit 1
fi
"${OASDIFF[@]}" breaking openapi/openapi-3.0.yaml "$tmp/broken-bumped.json" --fail-on MISSING-VERSION-BUMP >/dev/null ||
  { echo "contract: self-test: oasdiff refused a breaking change announced by a new major version" >&2; exit 1; }

if ! "${OASDIFF[@]}" breaking "$base" openapi/openapi-3.0.yaml --fail-on MISSING-VERSION-BUMP; then
  echo "contract: breaking changes since $base without a new major version: bump passerelle.Version (version.go)," >&2
  echo "  or make the change additive; see docs/integrators.md" >&2
  exit 1
fi
echo "no unannounced breaking change since $base"
