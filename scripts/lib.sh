# shellcheck shell=bash
# Shared helpers for nsprobe's scripts. Source it; it defines functions only.

NSP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NSPROBE_CACHE=${NSPROBE_CACHE:-/var/cache/nsprobe}

# nsp_kernels: print "name abi version" for each kernel of the test matrix.
nsp_kernels() {
	awk '!/^#/ && NF >= 3 { print $1, $2, $3 }' "$NSP_ROOT/scripts/kernels.conf"
}

# nsp_kernels_bootable: the matrix, then the kernels built locally (not part
# of the matrix), as listed in $NSPROBE_CACHE/kernels-local.conf by
# scripts/build-debug-kernel ("debug <abi> local").
nsp_kernels_bootable() {
	nsp_kernels
	[ ! -f "$NSPROBE_CACHE/kernels-local.conf" ] ||
		awk '!/^#/ && NF >= 3 { print $1, $2, $3 }' "$NSPROBE_CACHE/kernels-local.conf"
}

# nsp_kernel_abi NAME: the ABI (uname -r) of kernel NAME ("" = default).
nsp_kernel_abi() {
	local want=${1:-}
	nsp_kernels_bootable | awk -v n="$want" 'n == "" || $1 == n { print $2; exit }'
}

# nsp_kernel_name NAME: NAME itself if it can be booted ("" = default kernel).
nsp_kernel_name() {
	local want=${1:-}
	nsp_kernels_bootable | awk -v n="$want" 'n == "" || $1 == n { print $1; exit }'
}

# nsp_kernel_dir ABI: where the unpacked linux-image package lives.
nsp_kernel_dir() {
	echo "$NSPROBE_CACHE/kernels/$1"
}

# nsp_kernel_name_of_abi ABI: the matrix name of the kernel with that ABI.
nsp_kernel_name_of_abi() {
	nsp_kernels_bootable | awk -v a="$1" '$2 == a { print $1; exit }'
}

# Benchmarks (scripts/bench-*-guest, which source this file inside the
# guest too): the numbers on stdin, separated by blanks or newlines.
# nsp_median: their median (for an even count, the lower middle one).
nsp_median() {
	tr -s ' \t' '\n\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'
}

# nsp_spread: (max - min) / median, in per cent ("n/a" when the median is 0).
nsp_spread() {
	tr -s ' \t' '\n\n' | grep -v '^$' | sort -g |
		awk '{ a[NR] = $1 } END { m = a[int((NR + 1) / 2)]; if (NR && m > 0) printf "%.2f%%\n", 100 * (a[NR] - a[1]) / m; else print "n/a" }'
}
