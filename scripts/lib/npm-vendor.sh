#!/usr/bin/env bash
# npm-vendor.sh: the one way the project vendors front-end files from npm. Sourced by
# scripts/update-*.sh, which each pin a package; `npm_vendor` fetches the tarball
# (npm pack), refuses it unless its sha512 equals the pinned npm integrity, and copies
# the named files (flattened) into DEST with a VERSION file. Running it twice leaves the
# tree unchanged.

# npm_vendor TAG NAME VERSION INTEGRITY DEST FILE... — TAG prefixes messages.
npm_vendor() {
	local tag="$1" name="$2" version="$3" integrity="$4" dest="$5"
	shift 5
	local files=("$@") tool tmp got f
	for tool in npm tar openssl base64; do
		command -v "$tool" >/dev/null || { echo "$tag: $tool is required" >&2; return 1; }
	done
	tmp="$(mktemp -d)"
	# shellcheck disable=SC2064 # expand tmp now: the trap outlives this function
	trap "rm -rf '$tmp'" EXIT

	(cd "$tmp" && npm pack --silent "$name@$version" >/dev/null)
	local tarball=("$tmp"/*.tgz)
	if [[ ${#tarball[@]} -ne 1 || ! -f ${tarball[0]} ]]; then
		echo "$tag: npm pack produced no single tarball" >&2
		return 1
	fi
	got="sha512-$(openssl dgst -sha512 -binary "${tarball[0]}" | base64 | tr -d '\n')"
	if [[ "$got" != "$integrity" ]]; then
		echo "$tag: integrity mismatch for $name@$version" >&2
		echo "  want $integrity" >&2
		echo "  got  $got" >&2
		return 1
	fi

	mkdir -p "$tmp/x"
	tar -xzf "${tarball[0]}" -C "$tmp/x" "${files[@]/#/package/}"
	mkdir -p "$dest"
	# Remove files a previous version may have left, keeping only what we copy.
	find "$dest" -mindepth 1 -maxdepth 1 -type f ! -name VERSION -delete
	for f in "${files[@]}"; do
		install -m 0644 "$tmp/x/package/$f" "$dest/$(basename "$f")"
	done
	printf 'name=%s\nversion=%s\nintegrity=%s\n' "$name" "$version" "$integrity" >"$dest/VERSION"
	echo "$tag: $name@$version written to $dest"
}
