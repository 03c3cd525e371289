#!/bin/bash
# vm-kernels: 6.12
# (the host half, tests/host/deb, builds and checks the module for every
# kernel; loading it here on one kernel saves about 3 min per other kernel)
# Debian packages, guest half (tests/host/deb is the host half): the root in
# which the host installed nsprobe and nsprobe-dkms with dpkg -i, and where
# DKMS built and installed nsprobe.ko for this kernel ($BUILD/deb-root), is
# laid over the guest's root (overlayfs, writes to a tmpfs) and entered
# with chroot. There, "modprobe nsprobe" loads the module DKMS installed,
# and the installed /usr/bin/nsprobe reads it: status, and show with
# exact veth counts.
#
#   netns va-XXXX  va 10.88.0.1 <==== veth ====> vb 10.88.0.2  netns vb-XXXX
#   N datagrams of S bytes from va to vb
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_veth.sh"
[ -n "${NSP_TRACE:-}" ] && set -x
N=40 S=200
state=${NSP_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}/deb-root
m=/tmp/deb-root

cleanup() {
	veth_cleanup
	local d
	for d in run/netns run sys/kernel/debug sys dev proc lib/modules ""; do
		mountpoint -q "$m/$d" && umount -l "$m/$d"
	done
	mountpoint -q /tmp/deb-rw && umount /tmp/deb-rw
	umount /run/netns 2>/dev/null
}
veth_on_exit
on_exit cleanup

[ -r "$state/result" ] || die "no $state/result: tests/host/deb installs the packages first (make check runs it)"
. "$state/result" # abis, version
abi=$(uname -r)
check "the packages were installed for this kernel" yes "$([[ " $abis " == *" $abi "* ]] && echo yes || echo "no (only $abis)")"

# The host's upper dir is copied to a tmpfs first: overlayfs refuses a
# lower layer inside another ("overlapping lowerdir path"), and here both
# would be on the one 9p file system of the host's root.
mkdir -p /tmp/deb-rw "$m"
mount -t tmpfs tmpfs /tmp/deb-rw && mkdir -p /tmp/deb-rw/{u,w} || die "tmpfs"
cp -a "$state/upper" /tmp/deb-rw/installed || die "copy $state/upper"
mount -t overlay overlay -o "lowerdir=/tmp/deb-rw/installed:/,upperdir=/tmp/deb-rw/u,workdir=/tmp/deb-rw/w" "$m" ||
	die "overlay of the installed root over /"
mount -t overlay overlay -o "lowerdir=$state/lib-modules:/lib/modules" "$m/lib/modules" ||
	die "overlay of the installed /lib/modules"
mount -t proc proc "$m/proc"
mount --rbind /dev "$m/dev"
mount --rbind /sys "$m/sys"
mount -t tmpfs tmpfs "$m/run"
# /run/netns as iproute2 makes it, a shared mount, so that the netns added
# below (mounts under it) show in the root's /run/netns too.
mkdir -p /run/netns "$m/run/netns"
mount --bind /run/netns /run/netns && mount --make-shared /run/netns
mount --bind /run/netns "$m/run/netns"
in_root() { chroot "$m" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

# The installed tool, for lib.sh's nsp_json/show_dev/probe_state.
cat >/tmp/deb-nsprobe <<EOT
#!/bin/bash
exec chroot $m /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 /usr/bin/nsprobe "\$@"
EOT
chmod +x /tmp/deb-nsprobe
NSPROBE=/tmp/deb-nsprobe

check "dpkg: nsprobe installed" "install ok installed $version" \
	"$(in_root dpkg-query -W -f '${Status} ${Version}' nsprobe 2>&1)"
check "dkms status" "nsprobe/$version, $abi, x86_64: installed" "$(in_root dkms status -m nsprobe -k "$abi" 2>/dev/null)"
# nsprobe.ko, or nsprobe.ko.xz where the kernel's modules are compressed.
ko=$(in_root modinfo -n nsprobe 2>&1)
check "modprobe resolves nsprobe to the DKMS module" "/lib/modules/$abi/updates/dkms/nsprobe.ko" "${ko%.xz}"

# Without the module, the installed tool says so: exit 3.
in_root /usr/bin/nsprobe status >/dev/null 2>&1
check "nsprobe status before modprobe: exit 3 (module not loaded)" 3 $?

modprobe veth
check_cmd "modprobe nsprobe (in the installed root)" in_root modprobe nsprobe
check "loaded module's version is the package's" "$version" "$(cat /sys/module/nsprobe/version 2>&1)"
check "loaded module is the DKMS-built file (srcversion)" \
	"$(in_root modinfo -F srcversion "$ko" 2>&1)" \
	"$(cat /sys/module/nsprobe/srcversion 2>&1)"

check_cmd "/usr/bin/nsprobe status" in_root /usr/bin/nsprobe status
check "status --json: module_loaded" true "$(nsp_json status | jq -r .module_loaded)"
check "status --json: veth_xmit probe" armed "$(probe_state veth_xmit)"

veth_pair a b
udp_sink "$b" 5001
udp_send "$a" 10.88.0.2 5001 $N $S || die "udp_send"
wait_until 10 [ "$(kstat "$b" vb rx_packets)" = "$N" ]
inum_a=$(ns_inum "$a")
check "/usr/bin/nsprobe show: va nsprobe tx_packets" $N "$(show_dev "$inum_a" va .nsprobe.tx_packets)"
check "/usr/bin/nsprobe show: va nsprobe tx_bytes" $((N * (S + 42))) "$(show_dev "$inum_a" va .nsprobe.tx_bytes)"
check "/usr/bin/nsprobe show: va kernel tx_packets" $N "$(show_dev "$inum_a" va .kernel_stats.tx_packets)"
check "/usr/bin/nsprobe show: va's /run/netns name" "$a" \
	"$(nsp_json show | jq -r --argjson i "$inum_a" '.netns[] | select(.inum == $i) | .names[0]')"

check_cmd "modprobe -r nsprobe" in_root modprobe -r nsprobe
nsp_summary
