// SPDX-License-Identifier: GPL-2.0 OR MIT
// libFuzzer target: what nsprobe reads from procfs and securityfs.
//
// The input is split at NUL bytes into up to three parts:
//   1. /proc/self/mountinfo (nsfs bind mounts, octal-escaped paths),
//   2. /proc/<pid>/comm of a process in a discovered netns,
//   3. /sys/kernel/security/lockdown ("none [integrity] confidentiality").
// Parts 1 and 2 are written into a fake /proc tree (built once per process,
// hard links standing in for nsfs inodes, as tests/unit does) and read back
// by ProcNetnsDiscovery::scan(); the netns it finds go through correlate()
// and both renderers, as `nsprobe show` does. Mountinfo paths are relative
// to the fake tree's root (the process's working directory), so seeds can
// name the tree's files; so give libFuzzer absolute paths (corpus,
// -artifact_prefix), as tests/fuzz/run does. Part 1 also goes to unescape_mountinfo() alone and
// part 3 to parse_lockdown().
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

#include "fakes.h"
#include "libnsprobe/correlator.h"
#include "libnsprobe/debugfs_source.h"
#include "libnsprobe/netns_discovery.h"
#include "libnsprobe/render.h"

using namespace nsprobe;
namespace fs = std::filesystem;

namespace {

fs::path g_root;

void require(bool ok)
{
	if (!ok)
		std::abort();
}

void put(const fs::path &p, std::string_view text)
{
	std::ofstream(p, std::ios::binary | std::ios::trunc).write(text.data(),
		static_cast<std::streamsize>(text.size()));
}

void cleanup()
{
	std::error_code ec;
	fs::remove_all(g_root, ec);
}

// Every netns has lo and one veth whose peer is unverified.
class AnyLinkSource : public LinkSource {
public:
	Result<LinkDump> dump(const NetnsInfo &) override
	{
		return LinkDump{std::nullopt, {test::loopback(), test::veth("v0", 2, 2, -1)}};
	}
	Result<int32_t> nsid_of(const NetnsId &, const NetnsId &) override
	{
		return kNsidNotAssigned;
	}
};

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	// tmpfs if there is one: rewriting a file on ext4 flushes it on close
	// (auto_da_alloc), which made each run wait on the disk.
	fs::path tmp = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
	g_root = tmp / ("nsprobe-fuzz-proc." + std::to_string(::getpid()));
	fs::remove_all(g_root);
	fs::create_directories(g_root / "inodes");
	for (const char *n : {"A", "B"})
		put(g_root / "inodes" / n, "");
	auto ns = [](const fs::path &rel, const char *inode) {
		fs::create_directories((g_root / rel).parent_path());
		fs::create_hard_link(g_root / "inodes" / inode, g_root / rel);
	};
	ns("proc/thread-self/ns/net", "A");
	ns("proc/1/task/1/ns/net", "A");
	ns("proc/42/task/42/ns/net", "B");
	ns("proc/42/task/43/ns/net", "B");
	ns("run/netns/blue", "B");
	ns("bind/with space", "B");
	fs::create_directories(g_root / "proc/self");
	put(g_root / "proc/1/comm", "init\n");
	std::atexit(cleanup);
	if (::chdir(g_root.c_str()) != 0)
		std::abort();
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	std::string_view in(reinterpret_cast<const char *>(data), size);
	std::string_view part[3];
	for (int i = 0; i < 3; i++) {
		size_t nul = i < 2 ? in.find('\0') : std::string_view::npos;
		part[i] = in.substr(0, nul);
		in = nul == std::string_view::npos ? std::string_view() : in.substr(nul + 1);
	}

	std::string un = unescape_mountinfo(part[0]);
	require(un.size() <= part[0].size());

	if (auto mode = parse_lockdown(part[2]))
		require(mode->size() < part[2].size());

	put(g_root / "proc/self/mountinfo", part[0]);
	put(g_root / "proc/42/comm", part[1]);
	ProcNetnsDiscovery disc((g_root / "proc").string(),
				{(g_root / "run/netns").string(), (g_root / "bind").string()});
	auto found = disc.scan();
	require(static_cast<bool>(found));
	bool current = false;
	for (const NetnsInfo &n : *found)
		current = current || n.current;
	require(current);

	AnyLinkSource links;
	auto obs = collect_links(*found, links);
	Result<Snapshot> none(Error{Errc::module_not_loaded, "/d/nsprobe", "does not exist", {}, 0});
	ShowModel sh = correlate(obs, links, none, "/d/nsprobe");
	(void)render_text(sh);
	(void)json_text(to_json(sh));
	return 0;
}
