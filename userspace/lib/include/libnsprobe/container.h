// SPDX-License-Identifier: GPL-2.0 OR MIT
// Container identity: which runtime started a process, and the container's
// id, read from the process's /proc/<pid>/cgroup (cgroup v1 or v2).
#ifndef LIBNSPROBE_CONTAINER_H
#define LIBNSPROBE_CONTAINER_H

#include <optional>
#include <string>
#include <string_view>

namespace nsprobe {

struct ContainerId {
	// "docker", "containerd", "cri-o", "podman", "systemd-nspawn", "lxc".
	std::string runtime;
	// docker, containerd, cri-o, podman: the 64-hex container id;
	// systemd-nspawn: the machine name (systemd's \x2d escapes decoded);
	// lxc: the container name.
	std::string id;
	int cgroup_version = 0;	// 2 for the "0::" line, else 1
	std::string cgroup;	// the cgroup path the id was read from
	friend bool operator==(const ContainerId &, const ContainerId &) = default;
};

// Parses the content of /proc/<pid>/cgroup. The v2 line ("0::<path>") is
// tried first, then each v1 line in order; within a path, the deepest
// component that names a container wins. Recognised (systemd driver, then
// cgroupfs driver):
//   docker          .../docker-<id>.scope          /docker/<id>
//   containerd/CRI  .../cri-containerd-<id>.scope  /kubepods/.../pod<uid>/<id>
//   cri-o           .../crio-<id>.scope            /kubepods/.../crio-<id>
//   podman          .../libpod-<id>.scope[/container]  /libpod_parent/libpod-<id>
//   systemd-nspawn  /machine.slice/machine-<name>.scope[/payload]
//   lxc             /lxc.payload.<name>  /lxc.payload/<name>  /lxc/<name>
// conmon and lxc monitor cgroups are not containers. nullopt if nothing
// matches (a host process).
std::optional<ContainerId> parse_cgroup(std::string_view content);

// The container of one cgroup v2 path (from the cgroup v2 root, as the
// module's post-mortem records give it), by the same rules as the "0::"
// line of parse_cgroup(); cgroup_version is 2. nullopt if no container
// matches (a host service, a user session, an unknown runtime).
std::optional<ContainerId> container_of_cgroup_path(std::string_view path);

} // namespace nsprobe

#endif
