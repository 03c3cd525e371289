# shellcheck shell=bash
# Shared helpers for nsprobe's scripts. Source it; it defines functions only.

NSP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NSPROBE_CACHE=${NSPROBE_CACHE:-/var/cache/nsprobe}

# nsp_kernels: print "name abi version" for each kernel of the test matrix.
nsp_kernels() {
	awk '!/^#/ && NF >= 3 { print $1, $2, $3 }' "$NSP_ROOT/scripts/kernels.conf"
}

# nsp_kernel_abi NAME: the ABI (uname -r) of matrix kernel NAME ("" = default).
nsp_kernel_abi() {
	local want=${1:-}
	nsp_kernels | awk -v n="$want" 'n == "" || $1 == n { print $2; exit }'
}

# nsp_kernel_name NAME: NAME itself if in the matrix ("" = default kernel).
nsp_kernel_name() {
	local want=${1:-}
	nsp_kernels | awk -v n="$want" 'n == "" || $1 == n { print $1; exit }'
}

# nsp_kernel_dir ABI: where the unpacked linux-image package lives.
nsp_kernel_dir() {
	echo "$NSPROBE_CACHE/kernels/$1"
}

# nsp_kernel_name_of_abi ABI: the matrix name of the kernel with that ABI.
nsp_kernel_name_of_abi() {
	nsp_kernels | awk -v a="$1" '$2 == a { print $1; exit }'
}
