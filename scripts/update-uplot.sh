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
# shellcheck source=scripts/lib/npm-vendor.sh
. "$root/scripts/lib/npm-vendor.sh"
npm_vendor update-uplot "$NAME" "$VERSION" "$INTEGRITY" "$root/web/static/vendor/uplot" "${FILES[@]}"
