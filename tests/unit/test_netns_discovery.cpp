// ProcNetnsDiscovery on a fake /proc tree. Hard links stand in for nsfs
// inodes: two paths with the same (st_dev, st_ino) are the same netns.
#include <chrono>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <unistd.h>

#include "libnsprobe/netns_discovery.h"

using namespace nsprobe;
namespace fs = std::filesystem;

namespace {

class FakeProc : public ::testing::Test {
protected:
	void SetUp() override
	{
		root_ = fs::temp_directory_path() /
			("nsprobe-proc-" + std::to_string(::getpid()) + "-" +
			 ::testing::UnitTest::GetInstance()->current_test_info()->name());
		fs::remove_all(root_);
		fs::create_directories(root_ / "inodes");
		for (const char *n : {"A", "B", "C"})
			write(root_ / "inodes" / n, "");
	}
	void TearDown() override { fs::remove_all(root_); }

	static void write(const fs::path &p, const std::string &text)
	{
		fs::create_directories(p.parent_path());
		std::ofstream(p) << text;
	}
	// Makes `path` the netns `inode` (A, B or C).
	void ns(const fs::path &path, const char *inode)
	{
		fs::create_directories(path.parent_path());
		fs::create_hard_link(root_ / "inodes" / inode, path);
	}
	// A task `pid` of netns `inode` under `proc`: its ns/net link, comm, and
	// the status lines discovery reads (PPid, NSpid: "71\t1" inside a pid
	// namespace).
	void task(const fs::path &proc, const std::string &pid, const char *inode,
		  const std::string &comm, const std::string &ppid, const std::string &nspid)
	{
		ns(proc / pid / "task" / pid / "ns/net", inode);
		write(proc / pid / "comm", comm + "\n");
		write(proc / pid / "status",
		      "Name:\t" + comm + "\nPPid:\t" + ppid + "\nNSpid:\t" + nspid + "\n");
	}
	uint64_t stat_ino(const char *inode)
	{
		struct stat st {};
		::stat((root_ / "inodes" / inode).c_str(), &st);
		return st.st_ino;
	}

	fs::path root_;
};

const NetnsInfo *find(const std::vector<NetnsInfo> &v, uint64_t inum)
{
	for (const NetnsInfo &n : v)
		if (n.id.inum == inum)
			return &n;
	return nullptr;
}

} // namespace

TEST_F(FakeProc, DedupesAndToleratesVanishing)
{
	fs::path proc = root_ / "proc", run = root_ / "run/netns";
	ns(proc / "thread-self/ns/net", "A");
	ns(proc / "1/task/1/ns/net", "A");
	write(proc / "1/comm", "init\n");
	ns(proc / "200/task/200/ns/net", "B");
	ns(proc / "200/task/201/ns/net", "B");	// a thread, same netns
	write(proc / "200/comm", "sleep\n");
	fs::create_directories(proc / "300/task/300");	// exited: no ns/net
	write(proc / "300/comm", "gone\n");
	ns(proc / "400/task/400/ns/net", "B");	// exits before its comm is read
	ns(run / "blue", "B");
	ns(root_ / "second", "B");
	ns(root_ / "with space", "C");
	write(proc / "self/mountinfo",
	      "22 1 0:4 net:[1] " + (run / "blue").string() + " rw - nsfs nsfs rw\n"
	      "23 1 0:4 net:[1] " + (root_ / "second").string() + " rw - nsfs nsfs rw\n"
	      "24 1 0:4 net:[2] " + root_.string() + "/with\\040space rw shared:1 - nsfs nsfs rw\n"
	      "25 1 0:4 mnt:[3] " + root_.string() + "/mntns rw - nsfs nsfs rw\n"
	      "26 1 0:5 / /tmp rw - tmpfs tmpfs rw\n");

	ProcNetnsDiscovery d(proc.string(), {run.string(), (root_ / "docker").string()});
	auto r = d.scan();
	ASSERT_TRUE(r) << r.error().message();
	ASSERT_EQ(r->size(), 3u);

	const NetnsInfo *a = find(*r, stat_ino("A"));
	ASSERT_TRUE(a);
	EXPECT_TRUE(a->current);
	EXPECT_EQ(a->pids, (std::vector<ProcRef>{{1, "init"}}));

	const NetnsInfo *b = find(*r, stat_ino("B"));
	ASSERT_TRUE(b);
	EXPECT_FALSE(b->current);
	EXPECT_EQ(b->names, std::vector<std::string>{"blue"});
	EXPECT_EQ(b->bind_paths, std::vector<std::string>{(root_ / "second").string()});
	EXPECT_EQ(b->pids, (std::vector<ProcRef>{{200, "sleep"}}));	// 400 vanished
	ASSERT_FALSE(b->open_paths.empty());
	EXPECT_EQ(b->open_paths.front(), (run / "blue").string());	// bind mounts first

	const NetnsInfo *c = find(*r, stat_ino("C"));
	ASSERT_TRUE(c);
	EXPECT_EQ(c->bind_paths, std::vector<std::string>{(root_ / "with space").string()});
	EXPECT_TRUE(c->pids.empty());
}

TEST_F(FakeProc, InitProcessAndContainer)
{
	fs::path proc = root_ / "proc";
	ns(proc / "thread-self/ns/net", "A");
	task(proc, "1", "A", "systemd", "0", "1");
	// netns B: 50 was started from the host (its parent 1 is in A); 40 and
	// 60 are its children (40 got a lower pid after a pid wrap).
	task(proc, "50", "B", "my (odd) app", "1", "50");
	const std::string id(64, 'e');
	write(proc / "50/cgroup", "0::/system.slice/docker-" + id + ".scope\n");
	task(proc, "40", "B", "worker", "50", "40");
	write(proc / "40/cgroup", "0::/system.slice/docker-" + id + ".scope\n");
	task(proc, "60", "B", "worker", "50", "60");
	// netns C: `unshare --pid --fork` from the host: 70 (unshare, parent in
	// A) forked 71, PID 1 of a new pid namespace: 71 is the init.
	task(proc, "70", "C", "unshare", "1", "70");
	task(proc, "71", "C", "sleep", "70", "71\t1");
	write(proc / "self/mountinfo", "");

	ProcNetnsDiscovery d(proc.string(), {});
	auto r = d.scan();
	ASSERT_TRUE(r) << r.error().message();
	const NetnsInfo *a = find(*r, stat_ino("A"));
	ASSERT_TRUE(a && a->init);
	EXPECT_EQ(*a->init, (ProcRef{1, "systemd"}));
	EXPECT_FALSE(a->container);	// nsprobe's own netns: not looked up
	const NetnsInfo *b = find(*r, stat_ino("B"));
	ASSERT_TRUE(b && b->init);
	EXPECT_EQ(*b->init, (ProcRef{50, "my (odd) app"}));
	ASSERT_TRUE(b->container);
	EXPECT_EQ(b->container->runtime, "docker");
	EXPECT_EQ(b->container->id, id);
	const NetnsInfo *c = find(*r, stat_ino("C"));
	ASSERT_TRUE(c && c->init);
	EXPECT_EQ(*c->init, (ProcRef{71, "sleep"}));	// PID 1 of its pid namespace
}

TEST_F(FakeProc, NoInitGuessWhenTasksAreHidden)
{
	// As non-root: pid 1 and 250 are hidden (their ns/net cannot be
	// stat()ed; a symlink loop stands in for EACCES). The host netns A
	// shows only the user's bash 300, whose parent 250 looks outside A
	// but may be in it: 300 is not the init; nor is kthreadd (PPid 0). B's 60 was started by 300
	// (seen in A): it is B's. C's PID 1 of a pid namespace still is.
	fs::path proc = root_ / "proc";
	ns(proc / "thread-self/ns/net", "A");
	for (const char *pid : {"1", "250"}) {
		fs::create_directories(proc / pid / "task" / pid / "ns");
		fs::create_symlink("net", proc / pid / "task" / pid / "ns/net");
		write(proc / pid / "comm", "hidden\n");
	}
	task(proc, "300", "A", "bash", "250", "300");
	// kthreadd: PPid 0 is no parent at all, not one outside A.
	task(proc, "2", "A", "kthreadd", "0", "2");
	task(proc, "60", "B", "app", "300", "60");
	task(proc, "71", "C", "sleep", "70", "71\t1");
	write(proc / "self/mountinfo", "");

	ProcNetnsDiscovery d(proc.string(), {});
	auto r = d.scan();
	ASSERT_TRUE(r) << r.error().message();
	const NetnsInfo *a = find(*r, stat_ino("A"));
	ASSERT_TRUE(a);
	EXPECT_EQ(a->pids, (std::vector<ProcRef>{{2, "kthreadd"}, {300, "bash"}}));
	EXPECT_FALSE(a->init) << a->init->comm;
	const NetnsInfo *b = find(*r, stat_ino("B"));
	ASSERT_TRUE(b && b->init);
	EXPECT_EQ(*b->init, (ProcRef{60, "app"}));
	const NetnsInfo *c = find(*r, stat_ino("C"));
	ASSERT_TRUE(c && c->init);
	EXPECT_EQ(*c->init, (ProcRef{71, "sleep"}));
}

TEST(MountinfoEscape, Octal)
{
	EXPECT_EQ(unescape_mountinfo("/a\\040b\\134c"), "/a b\\c");
	EXPECT_EQ(unescape_mountinfo("/plain"), "/plain");
	EXPECT_EQ(unescape_mountinfo("/trail\\04"), "/trail\\04");
}

namespace {

// An inner discovery that counts its scans and returns `list`.
struct CountingDiscovery : NetnsDiscovery {
	std::vector<NetnsInfo> list;
	int scans = 0;
	bool fail = false;
	Result<std::vector<NetnsInfo>> scan() override
	{
		scans++;
		if (fail)
			return Error{Errc::internal, "/proc", "no usable /proc", {}, 0};
		return list;
	}
};

NetnsInfo info_of(uint64_t inum)
{
	NetnsInfo i;
	i.id = {1, inum};
	return i;
}

} // namespace

// watch's netns list: reused until something says it may be stale.
TEST(CachedNetnsDiscovery, RescansOnlyWhenTheListMayBeStale)
{
	fs::path dir = fs::temp_directory_path() / ("nsprobe-cache-" + std::to_string(::getpid()));
	fs::remove_all(dir);
	fs::create_directories(dir);
	double t = 100.0;
	CountingDiscovery inner;
	inner.list = {info_of(11), info_of(12)};
	CachedNetnsDiscovery c(inner, 30.0, {dir.string(), (dir / "absent").string()},
			       [&] { return t; });

	ASSERT_TRUE(c.scan());	// the first one is full
	EXPECT_TRUE(c.last_was_full());
	inner.list.push_back(info_of(13));
	t += 29.0;
	auto r = c.scan();	// reused: 29 s old, nothing changed
	ASSERT_TRUE(r);
	EXPECT_FALSE(c.last_was_full());
	EXPECT_EQ(r->size(), 2u);
	EXPECT_EQ(inner.scans, 1);
	EXPECT_TRUE(c.knows(12));
	EXPECT_FALSE(c.knows(13));

	c.invalidate();		// the caller saw a netns it does not know
	r = c.scan();
	EXPECT_TRUE(c.last_was_full());
	EXPECT_EQ(r->size(), 3u);
	EXPECT_EQ(inner.scans, 2);
	c.accept(99);		// only the module sees it: no rescan for it
	EXPECT_TRUE(c.knows(99));
	ASSERT_TRUE(c.scan());
	EXPECT_EQ(inner.scans, 2);

	t += 30.0;		// max age
	ASSERT_TRUE(c.scan());
	EXPECT_EQ(inner.scans, 3);
	EXPECT_FALSE(c.knows(99));	// accepted until the next full scan only

	std::ofstream(dir / "blue") << "";	// ip netns add: the dir's mtime
	fs::last_write_time(dir, fs::last_write_time(dir) + std::chrono::seconds(1));
	ASSERT_TRUE(c.scan());
	EXPECT_EQ(inner.scans, 4);
	ASSERT_TRUE(c.scan());
	EXPECT_EQ(inner.scans, 4);
	fs::create_directories(dir / "absent");	// a dir that appears
	ASSERT_TRUE(c.scan());
	EXPECT_EQ(inner.scans, 5);

	inner.fail = true;	// a failed full scan: the error, and stale after it
	c.invalidate();
	EXPECT_FALSE(c.scan());
	inner.fail = false;
	ASSERT_TRUE(c.scan());
	EXPECT_TRUE(c.last_was_full());
	EXPECT_EQ(inner.scans, 7);
	EXPECT_EQ(c.full_scans(), 6u);
	fs::remove_all(dir);
}

// --rescan 0: every scan is full.
TEST(CachedNetnsDiscovery, MaxAgeZeroScansEveryTime)
{
	CountingDiscovery inner;
	inner.list = {info_of(11)};
	CachedNetnsDiscovery c(inner, 0.0, {}, [] { return 5.0; });
	for (int i = 0; i < 3; i++) {
		ASSERT_TRUE(c.scan());
		EXPECT_TRUE(c.last_was_full());
	}
	EXPECT_EQ(inner.scans, 3);
}
