# Shared by the scripts: where things live, and how they speak.
# shellcheck shell=bash
GUPBENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GUPBENCH_CACHE=${GUPBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gupbench}
GUPBENCH_OUT=${GUPBENCH_OUT:-$GUPBENCH_ROOT/build}

say() { printf '[gupbench] %s\n' "$*" >&2; }
die() { printf '[gupbench] error: %s\n' "$*" >&2; exit 1; }

# The Debian version of linux-source-6.1, which names the cached kernel trees.
kernel_source_version() {
	dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null ||
		die "linux-source-6.1 is not installed (run scripts/deps)"
}

# The cached build tree of a flavor: its name changes when the source or a fragment does.
kernel_build_dir() {
	local flavor=$1 key
	key=$( { kernel_source_version; cat "$GUPBENCH_ROOT/qemu/base.config" \
		"$GUPBENCH_ROOT/qemu/$flavor.config" "$GUPBENCH_ROOT/scripts/kernel-recipe"; } |
		sha256sum | cut -c1-12)
	printf '%s/kernel/%s-%s-%s\n' "$GUPBENCH_CACHE" "$(kernel_source_version)" "$flavor" "$key"
}

# The extracted linux-source tree (once, cached): prints its path. The kernel builds and
# the selftest builds read it.
kernel_source_tree() {
	local version src
	version=$(kernel_source_version)
	src=$GUPBENCH_CACHE/src/linux-source-$version
	if [ ! -f "$src/.gupbench-extracted" ]; then
		mkdir -p "$GUPBENCH_CACHE/src"
		(
			flock 8
			if [ ! -f "$src/.gupbench-extracted" ]; then
				say "extracting linux-source $version into $src"
				rm -rf "$src" && mkdir -p "$src"
				tar -xf /usr/src/linux-source-6.1.tar.xz -C "$src" --strip-components=1
				touch "$src/.gupbench-extracted"
			fi
		) 8>"$src.lock" || die "could not extract linux-source $version"
	fi
	printf '%s\n' "$src"
}
