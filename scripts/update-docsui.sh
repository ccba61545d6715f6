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
dest="$root/docsui/assets"

for tool in npm tar openssl base64; do
	command -v "$tool" >/dev/null || { echo "update-docsui: $tool is required" >&2; exit 1; }
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "$NAME@$VERSION" >/dev/null)
tarball=("$tmp"/*.tgz)
if [[ ${#tarball[@]} -ne 1 || ! -f ${tarball[0]} ]]; then
	echo "update-docsui: npm pack produced no single tarball" >&2
	exit 1
fi

got="sha512-$(openssl dgst -sha512 -binary "${tarball[0]}" | base64 | tr -d '\n')"
if [[ "$got" != "$INTEGRITY" ]]; then
	echo "update-docsui: integrity mismatch for $NAME@$VERSION" >&2
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
	install -m 0644 "$tmp/x/package/$f" "$dest/$f"
done
printf 'name=%s\nversion=%s\nintegrity=%s\n' "$NAME" "$VERSION" "$INTEGRITY" >"$dest/VERSION"

echo "update-docsui: $NAME@$VERSION written to ${dest#"$root"/}"
