#!/usr/bin/env bash
# update-docsui.sh fetches the pinned @stoplight/elements release from the npm
# registry, checks the tarball against the integrity written below, and copies
# the minified bundle and its licence files into docsui/assets/, where the
# docsui package embeds them. Running it twice leaves the tree unchanged.
#
# To upgrade: change VERSION, set INTEGRITY to the output of
#   npm view @stoplight/elements@NEW dist.integrity
# run this script, then `go test ./docsui/` and look at /docs in a browser.
set -euo pipefail

NAME='@stoplight/elements'
VERSION='9.0.25'
INTEGRITY='sha512-rDbNsgSCNo74lyV57cBzym+8F68/R2j7UPq4r3w5qK608vX8APNJhTq+2MkbTjsM3bUhFIoRdI225tlI85KpCA=='

# Files taken from the package, relative to its root.
FILES=(
	web-components.min.js
	web-components.min.js.LICENSE.txt
	styles.min.css
	LICENSE
)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/npm-vendor.sh
. "$root/scripts/lib/npm-vendor.sh"
npm_vendor update-docsui "$NAME" "$VERSION" "$INTEGRITY" "$root/docsui/assets" "${FILES[@]}"
