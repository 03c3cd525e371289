// Fixture files, the fixtures' topology and golden output shared by the unit
// tests. Regenerate the golden files with NSPROBE_UPDATE_GOLDEN=1 and review
// the diff.
#ifndef NSPROBE_TESTS_GOLDEN_H
#define NSPROBE_TESTS_GOLDEN_H

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "fakes.h"
#include "libnsprobe/debugfs_source.h"

namespace nsprobe::test {

// The module's files from tests/fixtures/debugfs/<fixture>.
inline Result<Snapshot> snapshot_of(const std::string &fixture)
{
	return DebugfsSource({std::string(NSPROBE_FIXTURES) + "/debugfs/" + fixture, false}).read();
}

// The topology of the debugfs fixtures: the host netns with h1, h2 (peers c1
// in 4026532201 "blue", c2 in the docker container's 4026532300, bound at
// /run/docker/netns/abc), correlated with @snap.
inline ShowModel fixture_show_model(const Result<Snapshot> &snap)
{
	FakeLinkSource links;
	links.add(4026531840, 1,
		  {loopback(), veth("h1", 3, 2, 0, {10, 980, 0, 60, 5880, 1}),
		   veth("h2", 4, 2, kNsidNotAssigned)});
	links.add(4026532201, 4097, {loopback(), veth("c1", 2, 3, 0, {60, 5880, 0, 10, 980, 0})});
	links.add(4026532300, 5000, {veth("c2", 2, 4, 0)});
	links.set_nsid(4026531840, 4026532201, 0);
	links.set_nsid(4026532201, 4026531840, 0);
	links.set_nsid(4026532300, 4026531840, 0);
	auto obs = collect_links({info(4026531840, {}, {{1, "init"}, {2, "kthreadd"}}, true),
				  info(4026532201, {"blue"}, {{1234, "sleep"}}),
				  info(4026532300, {}, {{4321, "my app"}})},
				 links);
	obs[2].info.bind_paths = {"/run/docker/netns/abc"};
	obs[2].info.init = ProcRef{4321, "my app"};
	const std::string id(64, 'c');
	obs[2].info.container = ContainerId{"docker", id, 2, "/system.slice/docker-" + id + ".scope"};
	ShowModel m = correlate(obs, links, snap, "/sys/kernel/debug/nsprobe");
	EXPECT_TRUE(select_netns(m, std::nullopt));
	return m;
}

// The content of tests/fixtures/<rel>.
inline std::string read_fixture(const std::string &rel)
{
	std::ifstream in(std::string(NSPROBE_FIXTURES) + "/" + rel, std::ios::binary);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

inline std::string golden_path(const std::string &name)
{
	return std::string(NSPROBE_FIXTURES) + "/golden/" + name;
}

// `actual` must equal tests/fixtures/golden/<name>; NSPROBE_UPDATE_GOLDEN=1
// writes it there instead.
inline void expect_golden(const std::string &name, const std::string &actual)
{
	if (const char *u = std::getenv("NSPROBE_UPDATE_GOLDEN"); u && *u == '1') {
		std::ofstream(golden_path(name), std::ios::binary) << actual;
		return;
	}
	std::ifstream in(golden_path(name), std::ios::binary);
	ASSERT_TRUE(in) << "missing " << golden_path(name);
	std::stringstream ss;
	ss << in.rdbuf();
	EXPECT_EQ(ss.str(), actual) << "golden " << name << " differs";
}

} // namespace nsprobe::test

#endif
