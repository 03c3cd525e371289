// Container identity from /proc/<pid>/cgroup: one fixture per runtime and
// cgroup version (tests/fixtures/cgroup/), exact runtime and id.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "libnsprobe/container.h"

using namespace nsprobe;

namespace {

constexpr const char *kDocker = "3f2a9c1e8b7d6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa998877";
constexpr const char *kContainerd = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
constexpr const char *kCrio = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr const char *kPodman = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

std::optional<ContainerId> parse_fixture(const std::string &name)
{
	std::ifstream in(std::string(NSPROBE_FIXTURES) + "/cgroup/" + name);
	EXPECT_TRUE(in) << name;
	std::stringstream ss;
	ss << in.rdbuf();
	return parse_cgroup(ss.str());
}

struct Case {
	const char *fixture;
	const char *runtime;
	const char *id;
	int version;
};

class CgroupFixture : public ::testing::TestWithParam<Case> {};

TEST_P(CgroupFixture, ExactRuntimeAndId)
{
	const Case &c = GetParam();
	auto got = parse_fixture(c.fixture);
	ASSERT_TRUE(got.has_value()) << c.fixture;
	EXPECT_EQ(got->runtime, c.runtime);
	EXPECT_EQ(got->id, c.id);
	EXPECT_EQ(got->cgroup_version, c.version);
}

INSTANTIATE_TEST_SUITE_P(
	Runtimes, CgroupFixture,
	::testing::Values(Case{"docker-v1", "docker", kDocker, 1},
			  Case{"docker-v2", "docker", kDocker, 2},
			  Case{"containerd-v1", "containerd", kContainerd, 1},
			  Case{"containerd-v2", "containerd", kContainerd, 2},
			  Case{"crio-v1", "cri-o", kCrio, 1},
			  Case{"crio-v2", "cri-o", kCrio, 2},
			  Case{"podman-v1", "podman", kPodman, 1},
			  Case{"podman-v2", "podman", kPodman, 2},
			  Case{"nspawn-v1", "systemd-nspawn", "web-front", 1},
			  Case{"nspawn-v2", "systemd-nspawn", "web-front", 2},
			  Case{"lxc-v1", "lxc", "db1", 1},
			  Case{"lxc-v2", "lxc", "db1", 2}),
	[](const ::testing::TestParamInfo<Case> &i) {
		std::string n = i.param.fixture;
		for (char &ch : n)
			if (ch == '-')
				ch = '_';
		return n;
	});

TEST(Cgroup, HostProcessesAndHelpersAreNoContainer)
{
	for (const char *f : {"host-v1", "host-v2", "conmon-v2", "lxcmonitor-v2"})
		EXPECT_FALSE(parse_fixture(f).has_value()) << f;
}

TEST(Cgroup, PathOfTheMatch)
{
	auto got = parse_fixture("podman-v2");
	ASSERT_TRUE(got);
	EXPECT_EQ(got->cgroup, std::string("/machine.slice/libpod-") + kPodman + ".scope/container");
}

TEST(Cgroup, EdgeCases)
{
	EXPECT_FALSE(parse_cgroup(""));
	EXPECT_FALSE(parse_cgroup("garbage\n::\n"));
	// Not 64 hex digits: no docker id.
	EXPECT_FALSE(parse_cgroup("0::/system.slice/docker-abc.scope\n"));
	EXPECT_FALSE(parse_cgroup("0::/docker/ABCDEF\n"));
	// v2 wins over v1 on a hybrid system.
	auto hybrid = parse_cgroup(std::string("5:memory:/docker/") + kDocker +
				   "\n0::/lxc.payload.other\n");
	ASSERT_TRUE(hybrid);
	EXPECT_EQ(hybrid->runtime, "lxc");
	EXPECT_EQ(hybrid->id, "other");
	// No trailing newline; a ':' inside the path.
	auto colon = parse_cgroup("0::/lxc.payload/we:ird");
	ASSERT_TRUE(colon);
	EXPECT_EQ(colon->id, "we:ird");
	EXPECT_EQ(parse_cgroup("0::/machine.slice/machine-a\\x2db\\x2dc.scope")->id, "a-b-c");
}

} // namespace

// (format 1.4) The cgroup path of a dead netns' last task, as the module
// gives it: the same rules as a "0::" line, one runtime each; unknown stays
// unknown.
TEST(Container, OfCgroupPath)
{
	struct PathCase {
		std::string path;
		const char *runtime;	// nullptr: no container
		std::string id;
	};
	const std::string p = kPodman, d = kDocker, c = kContainerd, o = kCrio;
	const PathCase cases[] = {
		{"/machine.slice/libpod-" + p + ".scope/container", "podman", p},
		{"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + p + ".scope",
		 "podman", p},
		{"/system.slice/docker-" + d + ".scope", "docker", d},
		{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/crio-" + o +
			 ".scope",
		 "cri-o", o},
		{"/kubepods.slice/kubepods-pod2.slice/cri-containerd-" + c + ".scope", "containerd", c},
		{"/system.slice/sshd.service", nullptr, ""},
		{"/machine.slice/libpod-conmon-" + p + ".scope", nullptr, ""},	// conmon
		{"/system.slice/docker-abc.scope", nullptr, ""},	// not a 64-hex id
		{"/", nullptr, ""},
		{"", nullptr, ""},
	};
	for (const PathCase &k : cases) {
		auto got = container_of_cgroup_path(k.path);
		if (!k.runtime) {
			EXPECT_EQ(got, std::nullopt) << k.path;
			continue;
		}
		ASSERT_TRUE(got) << k.path;
		EXPECT_EQ(got->runtime, k.runtime) << k.path;
		EXPECT_EQ(got->id, k.id) << k.path;
		EXPECT_EQ(got->cgroup_version, 2) << k.path;
		EXPECT_EQ(got->cgroup, k.path);
	}
}
