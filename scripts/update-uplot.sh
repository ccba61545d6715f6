#!/usr/bin/env bash
# update-uplot.sh fetches the pinned uPlot release (the console's charts) from
# the npm registry, checks the tarball against the integrity written below, and
# copies the minified bundle, its stylesheet and licence into
# web/static/vendor/uplot/, which the web package embeds.
# Running it twice leaves the tree unchanged.
#
# To upgrade: change VERSION, set INTEGRITY to the output of
#   npm view uplot@NEW dist.integrity
# run this script, then `go test ./web/` and look at /console/figures in a browser.
set -euo pipefail

NAME='uplot'
VERSION='1.6.32'
INTEGRITY='sha512-KIMVnG68zvu5XXUbC4LQEPnhwOxBuLyW1AHtpm6IKTXImkbLgkMy+jabjLgSLMasNuGGzQm/ep3tOkyTxpiQIw=='

# Files taken from the package, relative to its root.
FILES=(
	dist/uPlot.iife.min.js
	dist/uPlot.min.css
	LICENSE
)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/web/static/vendor/uplot"

for tool in npm tar openssl base64; do
	command -v "$tool" >/dev/null || { echo "update-uplot: $tool is required" >&2; exit 1; }
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "$NAME@$VERSION" >/dev/null)
tarball=("$tmp"/*.tgz)
if [[ ${#tarball[@]} -ne 1 || ! -f ${tarball[0]} ]]; then
	echo "update-uplot: npm pack produced no single tarball" >&2
	exit 1
fi

got="sha512-$(openssl dgst -sha512 -binary "${tarball[0]}" | base64 | tr -d '\n')"
if [[ "$got" != "$INTEGRITY" ]]; then
	echo "update-uplot: integrity mismatch for $NAME@$VERSION" >&2
	echo "  want $INTEGRITY" >&2
	echo "  got  $got" >&2
	exit 1
fi

mkdir -p "$tmp/x"
tar -xzf "${tarball[0]}" -C "$tmp/x" "${FILES[@]/#/package/}"

mkdir -p "$dest"
# Remove files a previous version may have left, keeping only what we copy.
find "$dest" -mindepth 1 -maxdepth 1 -type f ! -name VERSION -delete
for f in "${FILES[@]}"; do
	install -m 0644 "$tmp/x/package/$f" "$dest/$(basename "$f")"
done
printf 'name=%s\nversion=%s\nintegrity=%s\n' "$NAME" "$VERSION" "$INTEGRITY" >"$dest/VERSION"

echo "update-uplot: $NAME@$VERSION written to ${dest#"$root"/}"
