// SPDX-License-Identifier: GPL-2.0 OR MIT
// libFuzzer target: /proc/<pid>/cgroup -> container identity (parse_cgroup,
// userspace/lib/container.cpp), and what the tool does with it.
//
// The input is split at the first NUL byte: part 1 is the cgroup file of a
// netns's init process, part 2 a --netns selector (inum, name, pid or
// container-id prefix). The identity goes into a two-netns ShowModel that
// select_netns() filters and both renderers print, as `nsprobe show` does.
//
// Oracles besides ASan/UBSan: an identity has a known runtime, a non-empty
// id, cgroup version 1 or 2, and a cgroup path that occurs in the input; the
// 64-hex runtimes give 64 lowercase hex digits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "fakes.h"
#include "libnsprobe/container.h"
#include "libnsprobe/correlator.h"
#include "libnsprobe/render.h"

using namespace nsprobe;

namespace {

void require(bool ok)
{
	if (!ok)
		std::abort();
}

bool hex64(const std::string &s)
{
	if (s.size() != 64)
		return false;
	for (char c : s)
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	std::string_view in(reinterpret_cast<const char *>(data), size);
	size_t nul = in.find('\0');
	std::string_view cgroup = in.substr(0, nul);
	std::string selector(nul == std::string_view::npos ? std::string_view() : in.substr(nul + 1));

	std::optional<ContainerId> c = parse_cgroup(cgroup);
	if (c) {
		static const std::set<std::string> runtimes = {
			"docker", "containerd", "cri-o", "podman", "systemd-nspawn", "lxc"};
		require(runtimes.count(c->runtime) == 1);
		require(!c->id.empty());
		require(c->cgroup_version == 1 || c->cgroup_version == 2);
		require(cgroup.find(c->cgroup) != std::string_view::npos);
		if (c->runtime != "systemd-nspawn" && c->runtime != "lxc")
			require(hex64(c->id));
	}

	test::FakeLinkSource links;
	links.add(1, 1, {test::loopback()});
	links.add(2, 2, {test::loopback(), test::veth("eth0", 2, 5, 0)});
	NetnsInfo host = test::info(1, {}, {{1, "systemd"}}, true);
	NetnsInfo ctr = test::info(2, {"blue"}, {{4242, "sh"}});
	ctr.container = c;
	auto obs = collect_links({host, ctr}, links);
	Result<Snapshot> none(Error{Errc::module_not_loaded, "/d/nsprobe", "does not exist", {}, 0});
	ShowModel m = correlate(obs, links, none, "/d/nsprobe");
	(void)json_text(to_json(m));
	if (select_netns(m, selector.empty() ? std::nullopt : std::optional<std::string>(selector))) {
		(void)render_text(m);
		(void)json_text(to_json(m));
	}
	return 0;
}
