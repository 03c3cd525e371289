// SPDX-License-Identifier: GPL-2.0 OR MIT
// The one netns selector resolver (libnsprobe/selector.h): every form, each
// kind spelled out, live and dead netns, and every ambiguity an error that
// lists the candidates.
#include <gtest/gtest.h>

#include <cerrno>

#include <unistd.h>

#include "fakes.h"
#include "libnsprobe/selector.h"

namespace nsprobe {
namespace {

using test::info;

const std::string kDocker = "12ab34" + std::string(58, 'c');
const std::string kPodman = "77ff00" + std::string(58, 'd');

GoneRecord gone(uint32_t inum, uint64_t cookie, std::optional<std::string> cgroup)
{
	GoneRecord g;
	g.inum = inum;
	g.cookie = cookie;
	g.age_ns = 3'000'000'000;
	g.cgroup = std::move(cgroup);
	return g;
}

NetnsRecord rec(uint32_t inum, uint64_t cookie)
{
	NetnsRecord r;
	r.inum = inum;
	r.cookie = cookie;
	return r;
}

// Host netns 4026531840 with pids 1 and 12; a docker container 4026532300
// with pid 400; a named netns "blue" 4026532301; a module-only netns
// 4026532400; dead: a podman container (4026532500, cookie 9) and a netns
// that had blue's inum (cookie 5; blue's live cookie is 7).
std::vector<NetnsCandidate> scene()
{
	std::vector<NetnsInfo> live = {info(4026531840, {}, {{1, "systemd"}, {12, "kthreadd"}}),
				       info(4026532300, {}, {{400, "nginx"}}),
				       info(4026532301, {"blue"}, {{500, "sh"}})};
	live[1].container = ContainerId{"docker", kDocker, 2, "/system.slice/docker-x.scope"};
	std::vector<NetnsRecord> mod = {rec(4026532301, 7), rec(4026532400, 8)};
	std::vector<GoneRecord> dead = {
		gone(4026532500, 9, "/machine.slice/libpod-" + kPodman + ".scope/container"),
		gone(4026532301, 5, std::nullopt)};
	return netns_candidates(live, mod, dead);
}

NetnsTarget live_t(uint64_t inum, std::optional<uint64_t> cookie = std::nullopt)
{
	return {inum, cookie, false};
}

Result<NetnsTarget> pick(const std::string &sel) { return resolve_selector(sel, scene()); }

TEST(Selector, EachFormNamesOneNetns)
{
	EXPECT_EQ(*pick("blue"), live_t(4026532301, 7));	// cookie from the module
	EXPECT_EQ(*pick("name:blue"), live_t(4026532301, 7));
	EXPECT_EQ(*pick("400"), live_t(4026532300));
	EXPECT_EQ(*pick("pid:400"), live_t(4026532300));
	EXPECT_EQ(*pick("inode:4026532300"), live_t(4026532300));
	EXPECT_EQ(*pick("inum:4026532300"), live_t(4026532300));
	EXPECT_EQ(*pick("4026532400"), live_t(4026532400, 8));	// known to the module only
	EXPECT_EQ(*pick("12ab"), live_t(4026532300));		// container prefix
	EXPECT_EQ(*pick("container:12ab34"), live_t(4026532300));
	EXPECT_EQ(*pick(kDocker), live_t(4026532300));
}

TEST(Selector, DeadNetns)
{
	NetnsTarget podman{4026532500, 9, true};
	EXPECT_EQ(*pick("77ff"), podman);		// its last cgroup's container
	EXPECT_EQ(*pick("container:77ff00"), podman);
	EXPECT_EQ(*pick("4026532500"), podman);
	EXPECT_EQ(*pick("4026532500:9"), podman);
	// Two netns with one inum: INUM:COOKIE picks each.
	EXPECT_EQ(*pick("4026532301:5"), (NetnsTarget{4026532301, 5, true}));
	EXPECT_EQ(*pick("4026532301:7"), live_t(4026532301, 7));
	// A dead netns has no pids and no names.
	EXPECT_EQ(pick("pid:4026532500").error().code, Errc::netns_not_found);
}

TEST(Selector, AmbiguousIsUsageWithTheCandidates)
{
	// A pid that is also a container id prefix.
	auto r = pick("12");
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().code, Errc::usage);
	EXPECT_NE(r.error().why.find("names 2 network namespaces"), std::string::npos) << r.error().why;
	EXPECT_NE(r.error().why.find("netns 4026531840 (pid 12, live)"), std::string::npos) << r.error().why;
	EXPECT_NE(r.error().why.find("netns 4026532300 (container docker 12ab34cccccc, live)"),
		  std::string::npos) << r.error().why;
	EXPECT_NE(r.error().hint.find("pid:N"), std::string::npos);
	// ... and each kind spelled out resolves it.
	EXPECT_EQ(*pick("pid:12"), live_t(4026531840));
	EXPECT_EQ(*pick("container:12"), live_t(4026532300));

	// A live and a dead netns with one inum.
	r = pick("4026532301");
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().code, Errc::usage);
	EXPECT_NE(r.error().why.find("netns 4026532301:5 (inode, gone 3 s ago)"),
		  std::string::npos) << r.error().why;
	EXPECT_NE(r.error().why.find("netns 4026532301:7 (inode, live)"), std::string::npos)
		<< r.error().why;
	// Only the cookie tells them apart: the hint says so, and nothing
	// else (more digits or a kind cannot help).
	EXPECT_EQ(r.error().hint, "give INUM:COOKIE");
	r = pick("inode:4026532301");
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().code, Errc::usage);
	EXPECT_EQ(r.error().hint, "give INUM:COOKIE");
	// A pid and a container: the full hint.
	EXPECT_EQ(pick("12").error().hint, "give more digits, spell the kind (pid:N, inode:N, "
					   "name:X, container:P), or give INUM:COOKIE");

	// A prefix of two containers, one of them dead.
	auto two = scene();
	two[1].container->id = "77ff" + std::string(60, 'e');
	r = resolve_selector("77f", two);
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().code, Errc::usage);
	EXPECT_NE(r.error().why.find("matches 2 containers"), std::string::npos) << r.error().why;

	// Several ways to one netns are no ambiguity.
	EXPECT_EQ(*pick("500"), live_t(4026532301, 7));
}

// "host": the initial netns, by its cookie (1 on 6.1 and 6.12) or its static
// inum; never a guess when neither is known; a netns named "host" besides it
// is ambiguous, and name:host is the name alone.
TEST(Selector, HostIsTheInitialNetns)
{
	std::vector<NetnsInfo> live = {info(4026531840, {}, {{1, "systemd"}}),
				       info(4026532301, {"blue"}, {{500, "sh"}})};
	std::vector<NetnsRecord> mod = {rec(4026531840, 1), rec(4026532301, 7)};
	auto r = resolve_selector("host", netns_candidates(live, mod, {}));
	ASSERT_TRUE(r) << r.error().message();
	EXPECT_EQ(*r, live_t(4026531840, 1));
	// Without the module no cookie is known, and this inum is not the static
	// one: not found, never the tool's own netns by a guess.
	auto unknown = resolve_selector("host", netns_candidates(live, {}, {}));
	ASSERT_FALSE(unknown);
	EXPECT_EQ(unknown.error().code, Errc::netns_not_found);
	// 6.18: the static inum alone says it.
	std::vector<NetnsInfo> st = {info(kInitNetInum, {}, {{1, "systemd"}})};
	auto by_inum = resolve_selector("host", netns_candidates(st, {}, {}));
	ASSERT_TRUE(by_inum);
	EXPECT_EQ(by_inum->inum, kInitNetInum);
	// ip netns add host: two netns answer to "host".
	live[1].names = {"host"};
	auto amb = resolve_selector("host", netns_candidates(live, mod, {}));
	ASSERT_FALSE(amb);
	EXPECT_EQ(amb.error().code, Errc::usage);
	auto named = resolve_selector("name:host", netns_candidates(live, mod, {}));
	ASSERT_TRUE(named);
	EXPECT_EQ(*named, live_t(4026532301, 7));
}

TEST(Selector, BadSelectors)
{
	for (const char *bad : {"", "pid:", "pid:x", "inode:12a", "inode:99999999999", "bogus:1", "name:"}) {
		auto r = pick(bad);
		ASSERT_FALSE(r) << bad;
		EXPECT_EQ(r.error().code, Errc::usage) << bad;
	}
	for (const char *none : {"nope", "999999", "container:ffff", "name:nope", "1:1",
				 "/nonexistent/path"}) {
		auto r = pick(none);
		ASSERT_FALSE(r) << none;
		EXPECT_EQ(r.error().code, Errc::netns_not_found) << none;
	}
}

TEST(Selector, PidWhoseNetnsWeMayNotSeeIsPermissionDenied)
{
	// As non-root, the scan skips other users' processes (stat of
	// /proc/PID/ns/net says EACCES): such a pid is exit 5, not 8.
	auto probe = [](uint64_t pid) { return pid == 4242 ? EACCES : ENOENT; };
	for (const char *sel : {"pid:4242", "4242"}) {
		auto r = resolve_selector(sel, scene(), probe);
		ASSERT_FALSE(r) << sel;
		EXPECT_EQ(r.error().code, Errc::permission_denied) << sel;
		EXPECT_EQ(r.error().message(),
			  std::string("netns ") + sel + ": /proc/4242/ns/net: Permission denied (" +
				  denied_hint(::geteuid() == 0, "process") + ")");
	}
	// A pid that does not exist, and kinds that are not a pid, stay 8.
	for (const char *sel : {"pid:4243", "name:4242", "container:4242"}) {
		auto r = resolve_selector(sel, scene(), probe);
		ASSERT_FALSE(r) << sel;
		EXPECT_EQ(r.error().code, Errc::netns_not_found) << sel;
	}
	// A pid the scan saw is resolved without asking.
	auto never = [](uint64_t) { return EACCES; };
	EXPECT_EQ(*resolve_selector("pid:400", scene(), never), live_t(4026532300));
	// (A path we may not stat() is exit 5 as well: tests/host/run, as
	// nobody, since root passes every permission check here.)
}

// Exit 5's hint: "run as root" only to one who is not root; root, denied
// (no CAP_SYS_PTRACE over the process), is told what it lacks.
TEST(Selector, DeniedHintNeverTellsRootToRunAsRoot)
{
	EXPECT_EQ(denied_hint(false, "process"),
		  "another user's process; run as root to see its netns");
	EXPECT_EQ(denied_hint(false, "netns"), "another user's netns; run as root");
	const std::string root = "denied to root too: reading another process's netns needs "
				 "CAP_SYS_PTRACE over it, which this nsprobe lacks (a container "
				 "without it?) or which does not reach its user namespace";
	EXPECT_EQ(denied_hint(true, "process"), root);
	EXPECT_EQ(denied_hint(true, "netns"), root);
}

TEST(Selector, TargetMatchesRecords)
{
	NetnsTarget live = live_t(100);
	EXPECT_TRUE(live.is(100, 3, false));	// unknown cookie: any
	EXPECT_FALSE(live.is(100, 3, true));	// never a dead one
	NetnsTarget exact = live_t(100, 3);
	EXPECT_FALSE(exact.is(100, 4, false));
	NetnsTarget dead{100, 3, true};
	EXPECT_TRUE(dead.is(100, 3, true));
	EXPECT_FALSE(dead.is(100, 3, false));
}

} // namespace
} // namespace nsprobe
