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

# Debian's stock kernels by name: stock, stock-cloud and stock-rt are Linux 6.1; the same
# names with -6.12 (stock-6.12, stock-rt-6.12...) are Debian 12's Linux 6.12 LTS line.
# Prints "FLAVOR LINUX" (amd64|cloud-amd64|rt-amd64, 6.1|6.12), or fails for another name.
stock_kernel_split() {
	local name=$1 linux=6.1
	if [[ "$name" =~ ^(stock.*)-([0-9]+\.[0-9]+)$ ]]; then
		name=${BASH_REMATCH[1]} linux=${BASH_REMATCH[2]}
	fi
	case "$name" in
	stock) echo "amd64 $linux" ;;
	stock-cloud|stock-rt) echo "${name#stock-}-amd64 $linux" ;;
	*) return 1 ;;
	esac
}
