# Shared by the scripts: where things live, and how they speak.
# shellcheck shell=bash
GUPBENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GUPBENCH_CACHE=${GUPBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gupbench}
GUPBENCH_OUT=${GUPBENCH_OUT:-$GUPBENCH_ROOT/build}

say() { printf '[gupbench] %s\n' "$*" >&2; }
die() { printf '[gupbench] error: %s\n' "$*" >&2; exit 1; }

# The Linux versions of our own guest kernels, each built from Debian 12's linux-source-X
# package: 6.1 (Debian 12's default kernel) and 6.12 (its LTS line). LINUX= (make) or
# GUPBENCH_LINUX picks one; 6.12 when neither does, the kernel a GUP developer runs now.
GUPBENCH_LINUXES="6.1 6.12"
GUPBENCH_LINUX=${GUPBENCH_LINUX:-6.12}
linux_version() { # [LINUX]: prints it, or dies for one we do not build
	local linux=${1:-$GUPBENCH_LINUX}
	case " $GUPBENCH_LINUXES " in
	*" $linux "*) echo "$linux" ;;
	*) die "unknown Linux version '$linux' (gupbench builds: $GUPBENCH_LINUXES)" ;;
	esac
}

# The Debian version of linux-source-LINUX, which names the cached kernel trees.
kernel_source_version() { # [LINUX]
	local linux
	linux=$(linux_version "${1:-}")
	dpkg-query -W -f='${Version}' "linux-source-$linux" 2>/dev/null ||
		die "linux-source-$linux is not installed (run scripts/deps)"
}

# The config fragments of a flavor on a Linux version, in the order they are merged: what
# every guest kernel has, what differs by version (a renamed option), the flavor's own.
kernel_fragments() { # FLAVOR [LINUX]
	local flavor=$1 linux
	linux=$(linux_version "${2:-}")
	printf '%s
' "$GUPBENCH_ROOT/qemu/base.config"
	[ -f "$GUPBENCH_ROOT/qemu/linux-$linux.config" ] && printf '%s
' "$GUPBENCH_ROOT/qemu/linux-$linux.config"
	printf '%s
' "$GUPBENCH_ROOT/qemu/$flavor.config"
}

# The cached build tree of a flavor: its name changes when the source, an option a fragment
# sets, or the recipe does (not when a comment does or an option moves between fragments).
kernel_build_dir() { # FLAVOR [LINUX]
	local flavor=$1 version key
	version=$(kernel_source_version "${2:-}")
	key=$( { echo "$version"; kernel_fragments "$flavor" "${2:-}" | xargs cat |
		grep -E '^(CONFIG_|# CONFIG_.* is not set)' | LC_ALL=C sort -u
		cat "$GUPBENCH_ROOT/scripts/kernel-recipe"; } | sha256sum | cut -c1-12)
	printf '%s/kernel/%s-%s-%s
' "$GUPBENCH_CACHE" "$version" "$flavor" "$key"
}

# The extracted linux-source tree of a version (once, cached): prints its path. The kernel
# builds and the selftest builds read it.
kernel_source_tree() { # [LINUX]
	local linux version src
	linux=$(linux_version "${1:-}")
	version=$(kernel_source_version "$linux")
	src=$GUPBENCH_CACHE/src/linux-source-$version
	if [ ! -f "$src/.gupbench-extracted" ]; then
		mkdir -p "$GUPBENCH_CACHE/src"
		(
			flock 8
			if [ ! -f "$src/.gupbench-extracted" ]; then
				say "extracting linux-source $version into $src"
				rm -rf "$src" && mkdir -p "$src"
				tar -xf "/usr/src/linux-source-$linux.tar.xz" -C "$src" --strip-components=1
				touch "$src/.gupbench-extracted"
			fi
		) 8>"$src.lock" || die "could not extract linux-source $version"
	fi
	printf '%s
' "$src"
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
