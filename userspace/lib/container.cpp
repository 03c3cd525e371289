// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/container.h"

#include <vector>

namespace nsprobe {
namespace {

bool is_hex64(std::string_view s)
{
	if (s.size() != 64)
		return false;
	for (char c : s)
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	return true;
}

bool starts_with(std::string_view s, std::string_view p)
{
	return s.substr(0, p.size()) == p;
}

// "<prefix><id>.scope" or "<prefix><id>" -> id, "" if no match.
std::string_view strip(std::string_view comp, std::string_view prefix)
{
	if (!starts_with(comp, prefix))
		return {};
	comp.remove_prefix(prefix.size());
	constexpr std::string_view scope = ".scope";
	if (comp.size() > scope.size() && comp.substr(comp.size() - scope.size()) == scope)
		comp.remove_suffix(scope.size());
	return comp;
}

// systemd unit name escaping: "\x2d" -> '-'.
std::string unescape_systemd(std::string_view s)
{
	auto hex = [](char c) -> int {
		if (c >= '0' && c <= '9')
			return c - '0';
		if (c >= 'a' && c <= 'f')
			return c - 'a' + 10;
		if (c >= 'A' && c <= 'F')
			return c - 'A' + 10;
		return -1;
	};
	std::string out;
	for (size_t i = 0; i < s.size(); i++) {
		if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x' && hex(s[i + 2]) >= 0 &&
		    hex(s[i + 3]) >= 0) {
			out.push_back(static_cast<char>(hex(s[i + 2]) * 16 + hex(s[i + 3])));
			i += 3;
		} else {
			out.push_back(s[i]);
		}
	}
	return out;
}

std::vector<std::string_view> components(std::string_view path)
{
	std::vector<std::string_view> out;
	while (!path.empty()) {
		size_t slash = path.find('/');
		std::string_view c = path.substr(0, slash);
		if (!c.empty())
			out.push_back(c);
		if (slash == std::string_view::npos)
			break;
		path.remove_prefix(slash + 1);
	}
	return out;
}

std::optional<ContainerId> from_path(std::string_view path, int version)
{
	std::vector<std::string_view> comps = components(path);
	bool kube = false;
	for (std::string_view c : comps)
		kube |= starts_with(c, "kubepods");
	auto make = [&](const char *runtime, std::string id) {
		return ContainerId{runtime, std::move(id), version, std::string(path)};
	};
	for (size_t i = comps.size(); i-- > 0;) {
		std::string_view c = comps[i];
		std::string_view parent = i ? comps[i - 1] : std::string_view();
		std::string_view id;
		if (is_hex64(id = strip(c, "docker-")))
			return make("docker", std::string(id));
		if (is_hex64(id = strip(c, "cri-containerd-")))
			return make("containerd", std::string(id));
		if (is_hex64(id = strip(c, "crio-")))
			return make("cri-o", std::string(id));
		if (is_hex64(id = strip(c, "libpod-")))
			return make("podman", std::string(id));
		if (!(id = strip(c, "machine-")).empty() && c.size() > 6 &&
		    c.substr(c.size() - 6) == ".scope")
			return make("systemd-nspawn", unescape_systemd(id));
		if (!(id = strip(c, "lxc.payload.")).empty())
			return make("lxc", std::string(id));
		if (parent == "lxc.payload" || parent == "lxc")
			return make("lxc", std::string(c));
		if (is_hex64(c) && parent == "docker")
			return make("docker", std::string(c));
		if (is_hex64(c) && kube)
			return make("containerd", std::string(c));
	}
	return std::nullopt;
}

} // namespace

std::optional<ContainerId> parse_cgroup(std::string_view content)
{
	std::optional<ContainerId> v1;
	while (!content.empty()) {
		size_t nl = content.find('\n');
		std::string_view line = content.substr(0, nl);
		content.remove_prefix(nl == std::string_view::npos ? content.size() : nl + 1);
		// hierarchy-ID:controller-list:cgroup-path (the path may hold ':')
		size_t a = line.find(':');
		size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
		if (b == std::string_view::npos)
			continue;
		bool v2 = line.substr(0, a) == "0" && b == a + 1;
		std::string_view path = line.substr(b + 1);
		if (v2) {
			if (auto c = from_path(path, 2))
				return c;
		} else if (!v1) {
			v1 = from_path(path, 1);
		}
	}
	return v1;
}

std::optional<ContainerId> container_of_cgroup_path(std::string_view path)
{
	return from_path(path, 2);
}

} // namespace nsprobe
