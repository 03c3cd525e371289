// Parser and DebugfsSource on fixture trees (tests/fixtures/debugfs/<case>/).
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "libnsprobe/debugfs_source.h"
#include "libnsprobe/format_parser.h"

using namespace nsprobe;

namespace {

Result<Snapshot> read_case(const std::string &name)
{
	DebugfsSource src({std::string(NSPROBE_FIXTURES) + "/debugfs/" + name, false});
	return src.read();
}

} // namespace

TEST(FormatParser, GoodCaseExactValues)
{
	auto r = read_case("good");
	ASSERT_TRUE(r) << r.error().message();
	EXPECT_EQ(r->version.major, 1u);
	EXPECT_EQ(r->version.minor, 0u);

	ASSERT_EQ(r->probes.size(), 3u);
	EXPECT_EQ(r->probes[0].name, NSP_HOOK_VETH_XMIT);
	EXPECT_EQ(r->probes[0].symbol, "veth_xmit");
	EXPECT_EQ(r->probes[0].kind, ProbeKind::kprobe);
	EXPECT_EQ(r->probes[0].state, ProbeState::armed);
	EXPECT_EQ(r->probes[0].hits, 1200u);
	EXPECT_EQ(r->probes[1].name, NSP_HOOK_SIG_GENERATE);
	EXPECT_EQ(r->probes[1].symbol, "__send_signal_locked");
	EXPECT_EQ(r->probes[1].nmissed, 1u);
	EXPECT_EQ(r->probes[2].name, NSP_HOOK_SIG_PREPARE);
	EXPECT_EQ(r->probes[2].kind, ProbeKind::kretprobe);
	EXPECT_EQ(r->probes[2].state, ProbeState::failed);
	EXPECT_EQ(r->probes[2].err, -22);

	ASSERT_TRUE(r->stats);
	EXPECT_EQ(r->stats->netns, 3u);
	EXPECT_EQ(r->stats->devices, 4u);
	EXPECT_EQ(r->stats->veth_untracked, 2u);
	EXPECT_EQ(r->stats->sig_unattributed, 1u);
	EXPECT_EQ(r->stats->alloc_failed, 0u);

	ASSERT_EQ(r->netns.size(), 2u);
	EXPECT_EQ(r->netns[1].inum, 4026532201u);
	EXPECT_EQ(r->netns[1].cookie, 4097u);
	EXPECT_EQ(r->netns[1].tx_packets, 40u);
	EXPECT_EQ(r->netns[1].tx_bytes, 3920u);
	EXPECT_EQ(r->netns[1].sig_generated, 3u);
	EXPECT_EQ(r->netns[1].sig_ignored, 2u);
	EXPECT_EQ(r->netns[0].sig_rows, 3u);
	EXPECT_EQ(r->netns[1].sig_rows, 2u);
	EXPECT_EQ(r->netns[1].ev_chunks, 1u);
	EXPECT_EQ(r->netns[1].alloc_failed, 4u);

	ASSERT_EQ(r->devices.size(), 3u);
	EXPECT_EQ(r->devices[0].ifindex, 3);
	EXPECT_EQ(r->devices[0].name, "h1");
	EXPECT_EQ(r->devices[0].tx_packets, 60u);
	EXPECT_EQ(r->devices[0].tx_bytes, 5880u);

	ASSERT_EQ(r->signals.size(), 2u);
	EXPECT_EQ(r->signals[0].signo, 15);
	EXPECT_EQ(r->signals[0].generated, 2u);
	EXPECT_EQ(r->signals[0].forced, 1u);
	EXPECT_EQ(r->signals[0].ignored, 2u);
	EXPECT_EQ(r->signals[0].ignored_init, 2u);
	EXPECT_EQ(r->signals[1].signo, 9);
}

// Format 1.3: the sig_prepare hook is gone, three hooks are new; stats has
// sig_deferred and oom_unattributed, sig records oom_kill.
TEST(FormatParser, Format13ExactValues)
{
	auto r = read_case("v1_3");
	ASSERT_TRUE(r) << r.error().message();
	EXPECT_EQ(r->version.minor, 3u);
	EXPECT_TRUE(r->version.at_least(1, 3));
	EXPECT_FALSE(r->version.at_least(1, 4));

	ASSERT_EQ(r->probes.size(), 11u);
	for (const ProbeRecord &p : r->probes)
		EXPECT_NE(p.name, NSP_HOOK_SIG_PREPARE);
	EXPECT_EQ(r->probes[8].name, NSP_HOOK_SIG_NS_EXIT);
	EXPECT_EQ(r->probes[8].symbol, "exit_task_namespaces");
	EXPECT_EQ(r->probes[8].kind, ProbeKind::kprobe);
	EXPECT_EQ(r->probes[9].name, NSP_HOOK_SIG_NS_SWITCH);
	EXPECT_EQ(r->probes[9].symbol, "switch_task_namespaces");
	EXPECT_EQ(r->probes[10].name, NSP_HOOK_OOM_VICTIM);
	EXPECT_EQ(r->probes[10].symbol, "mark_victim");
	EXPECT_EQ(r->probes[10].kind, ProbeKind::tracepoint);
	EXPECT_EQ(r->probes[10].hits, 2u);

	ASSERT_TRUE(r->stats);
	EXPECT_EQ(r->stats->sig_unattributed, 3u);
	EXPECT_EQ(r->stats->sig_deferred, 5u);
	EXPECT_EQ(r->stats->oom_unattributed, 1u);

	ASSERT_EQ(r->signals.size(), 4u);
	EXPECT_EQ(r->signals[1].signo, 9);
	EXPECT_EQ(r->signals[1].generated, 3u);
	EXPECT_EQ(r->signals[1].oom_kill, 2u);
	EXPECT_EQ(r->signals[0].oom_kill, 0u);
	ASSERT_EQ(r->devices.size(), 3u);
	EXPECT_EQ(r->devices[0].tx_dropped_base, 1u);
}

// Format 1.5: the node's rows ("node_sig") from the same signals file, apart
// from the netns' sig records; none from an older module (unknown).
TEST(FormatParser, Format15NodeSignalsExactValues)
{
	auto r = read_case("v1_5");
	ASSERT_TRUE(r) << r.error().message();
	EXPECT_EQ(r->signals.size(), 4u) << "node_sig records are not sig records";
	ASSERT_TRUE(r->node_signals);
	const std::vector<SigRecord> &n = *r->node_signals;
	ASSERT_EQ(n.size(), 4u);
	EXPECT_EQ(n[0].signo, 9);
	EXPECT_EQ(n[0].inum, 0u);
	EXPECT_EQ(n[0].generated, 4u);	// 3 live, 1 in the dead netns
	EXPECT_EQ(n[0].oom_kill, 2u);
	EXPECT_EQ(n[3].signo, 15);
	EXPECT_EQ(n[3].ignored_init, 3u);	// 2 live, 1 dead
	EXPECT_EQ(n[3].origin_process, 3u);
	auto old = read_case("v1_4");
	ASSERT_TRUE(old);
	EXPECT_EQ(old->node_signals, std::nullopt);
	// A node_sig record is checked like a sig record.
	auto bad = parse_node_signals("node_sig signo=65 generated=1\n", "signals");
	ASSERT_FALSE(bad);
	EXPECT_EQ(bad.error().code, Errc::malformed);
}

// Format 1.4: the post-mortem file, parsed by the live files' parsers and
// kept apart from the live records. The first dead netns has the inum of a
// live one (4026532201, "blue"), another cookie.
TEST(FormatParser, Format14PostmortemExactValues)
{
	auto r = read_case("v1_4");
	ASSERT_TRUE(r) << r.error().message();
	EXPECT_TRUE(r->version.at_least(1, 4));
	ASSERT_TRUE(r->stats);
	EXPECT_EQ(r->stats->postmortem, 2u);
	EXPECT_EQ(r->stats->postmortem_lost, 1u);

	// The live files are the 1.3 fixture's, untouched by the dead netns.
	ASSERT_EQ(r->netns.size(), 2u);
	EXPECT_EQ(r->netns[1].inum, 4026532201u);
	EXPECT_EQ(r->netns[1].cookie, 4097u);
	EXPECT_EQ(r->signals.size(), 4u);

	const Postmortem &pm = r->postmortem;
	ASSERT_EQ(pm.gone.size(), 2u);
	const GoneRecord &a = pm.gone[0];
	EXPECT_EQ(a.inum, 4026532201u);
	EXPECT_EQ(a.cookie, 12u);
	EXPECT_EQ(a.gone_ns, 1765000000000000000u);
	EXPECT_EQ(a.age_ns, 12000000000u);
	EXPECT_EQ(a.cgroup_id, 1234u);
	EXPECT_EQ(a.cgroup, "/machine.slice/libpod-0123abcd4567ef890123abcd4567ef890123abcd4567ef89"
			    "0123abcd4567ef89.scope/container");
	const GoneRecord &b = pm.gone[1];
	EXPECT_EQ(b.inum, 4026532400u);
	EXPECT_EQ(b.cookie, 13u);
	EXPECT_EQ(b.cgroup_id, 0u);
	EXPECT_EQ(b.cgroup, std::nullopt);	// "-": unknown

	ASSERT_EQ(pm.netns.size(), 2u);
	EXPECT_EQ(pm.netns[0].cookie, 12u);
	EXPECT_EQ(pm.netns[0].sig_generated, 2u);
	EXPECT_EQ(pm.netns[0].sig_ignored, 1u);
	EXPECT_EQ(pm.netns[1].cookie, 13u);
	ASSERT_EQ(pm.signals.size(), 2u);
	EXPECT_EQ(pm.signals[0].signo, 9);
	EXPECT_EQ(pm.signals[0].cookie, 12u);
	EXPECT_EQ(pm.signals[0].delivered_term, 1u);
	EXPECT_EQ(pm.signals[1].signo, 15);
	EXPECT_EQ(pm.signals[1].ignored_init, 1u);
	ASSERT_EQ(pm.events.rings.size(), 1u);
	EXPECT_EQ(pm.events.rings[0].cookie, 12u);
	EXPECT_EQ(pm.events.rings[0].size, 320u);
	EXPECT_EQ(pm.events.rings[0].written, 2u);
	EXPECT_EQ(pm.events.rings[0].notable_size, 64u);
	EXPECT_EQ(pm.events.rings[0].notable_written, 2u);
	ASSERT_EQ(pm.events.events.size(), 2u);
	EXPECT_EQ(pm.events.events[0].target_comm, "my app");
	EXPECT_EQ(pm.events.events[1].signo, 9);
	EXPECT_EQ(pm.events.events[1].ts_ns, 50000000000u);
	EXPECT_EQ(pm.events.events[1].ev_class, "notable");
}

// A 1.3 module has no post-mortem file: no dead netns, not an error, and
// the 1.4 stats are unknown, not 0.
TEST(FormatParser, Format13WithoutPostmortem)
{
	auto r = read_case("v1_3");
	ASSERT_TRUE(r) << r.error().message();
	EXPECT_TRUE(r->postmortem.gone.empty());
	EXPECT_TRUE(r->postmortem.netns.empty());
	EXPECT_TRUE(r->postmortem.events.rings.empty());
	ASSERT_TRUE(r->stats);
	EXPECT_EQ(r->stats->postmortem, std::nullopt);
	EXPECT_EQ(r->stats->postmortem_lost, std::nullopt);
}

// A 1.4 module always has the file: its absence is malformed, like any
// other file of its format.
TEST(FormatParser, Format14RequiresPostmortem)
{
	namespace fs = std::filesystem;
	fs::path dir = fs::temp_directory_path() / fmt::format("nsprobe-pm-{}", ::getpid());
	fs::remove_all(dir);
	fs::copy(fs::path(NSPROBE_FIXTURES) / "debugfs/v1_4", dir, fs::copy_options::recursive);
	fs::remove(dir / "nsprobe/postmortem");
	auto r = DebugfsSource({dir.string(), false}).read();
	fs::remove_all(dir);
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().code, Errc::malformed);
	EXPECT_NE(r.error().what.find("postmortem"), std::string::npos) << r.error().message();
}

TEST(FormatParser, PostmortemSyntax)
{
	auto ok = parse_postmortem("gone inum=5 cookie=7 gone_ns=1 age_ns=2 cgroup_id=9 "
				   "cgroup=/a\\040b/docker-x.scope\n"
				   "netns inum=5 cookie=7 devices=0 tx_packets=0 tx_bytes=0 "
				   "sig_generated=0 sig_ignored=0\n",
				   "pm");
	ASSERT_TRUE(ok) << ok.error().message();
	ASSERT_EQ(ok->gone.size(), 1u);
	EXPECT_EQ(ok->gone[0].cgroup, "/a b/docker-x.scope");	// unescaped
	EXPECT_EQ(ok->netns.size(), 1u);
	EXPECT_TRUE(parse_postmortem("", "pm"));	// no dead netns

	// A record of a netns with no gone record: the file is not the spec's.
	auto orphan = parse_postmortem("gone inum=5 cookie=7 gone_ns=1 age_ns=2 cgroup_id=0 "
				       "cgroup=-\nnetns inum=5 cookie=8 devices=0 tx_packets=0 "
				       "tx_bytes=0 sig_generated=0 sig_ignored=0\n",
				       "pm");
	ASSERT_FALSE(orphan);
	EXPECT_EQ(orphan.error().code, Errc::malformed);
	EXPECT_NE(orphan.error().why.find("netns record of netns 5 cookie 8 without a gone record"),
		  std::string::npos) << orphan.error().message();
	// A gone record lacking a key, and a bad escape, name the line.
	auto lacks = parse_postmortem("gone inum=5 cookie=7 gone_ns=1 age_ns=2 cgroup_id=0\n", "pm");
	ASSERT_FALSE(lacks);
	EXPECT_EQ(lacks.error().what, "pm:1");
	auto esc = parse_postmortem("gone inum=5 cookie=7 gone_ns=1 age_ns=2 cgroup_id=0 "
				    "cgroup=/a\\9\n", "pm");
	ASSERT_FALSE(esc);
	EXPECT_EQ(esc.error().what, "pm:1");
	auto twice = parse_postmortem("gone inum=5 cookie=7 gone_ns=1 age_ns=2 cgroup_id=0 cgroup=-\n"
				      "gone inum=5 cookie=7 gone_ns=1 age_ns=2 cgroup_id=0 cgroup=-\n",
				      "pm");
	EXPECT_FALSE(twice);
}

// Keys added in 1.3 are optional: an older module's records parse, and the
// new stats read unknown (nullopt), not 0.
TEST(FormatParser, OlderFormatsLackThe13Keys)
{
	auto r = read_case("good");	// 1.0
	ASSERT_TRUE(r) << r.error().message();
	ASSERT_TRUE(r->stats);
	EXPECT_EQ(r->stats->sig_deferred, std::nullopt);
	EXPECT_EQ(r->stats->oom_unattributed, std::nullopt);
	EXPECT_EQ(r->signals[1].oom_kill, 0u);

	// The live 1.2 files of the fuzz corpus (a 6.12 guest).
	auto slurp = [](const std::string &name) {
		std::ifstream in(std::string(NSPROBE_FIXTURES) + "/../fuzz/corpus/fuzz_debugfs/live-" +
				 name);
		std::stringstream ss;
		ss << in.rdbuf();
		return ss.str();
	};
	auto v = parse_version(slurp("version"), "version");
	ASSERT_TRUE(v);
	EXPECT_EQ(v->minor, 2u);
	auto st = parse_stats(slurp("stats"), "stats");
	ASSERT_TRUE(st) << st.error().message();
	ASSERT_TRUE(*st);
	EXPECT_EQ((*st)->sig_deferred, std::nullopt);
	auto sig = parse_signals(slurp("signals"), "signals");
	ASSERT_TRUE(sig) << sig.error().message();
	ASSERT_EQ(sig->size(), 4u);
	EXPECT_EQ((*sig)[1].signo, 9);
	EXPECT_EQ((*sig)[1].oom_kill, 0u);
	auto pr = parse_probes(slurp("probes"), "probes");
	ASSERT_TRUE(pr) << pr.error().message();
	EXPECT_EQ((*pr)[2].name, NSP_HOOK_SIG_PREPARE);

	auto bad = parse_stats("stats netns=1 devices=0 veth_untracked=0 sig_unattributed=0 "
			       "alloc_failed=0 sig_deferred=x\n", "stats");
	ASSERT_FALSE(bad);
	EXPECT_NE(bad.error().why.find("sig_deferred"), std::string::npos) << bad.error().why;
}

TEST(FormatParser, EscapedNames)
{
	auto r = read_case("escaped");
	ASSERT_TRUE(r) << r.error().message();
	ASSERT_EQ(r->devices.size(), 2u);
	EXPECT_EQ(r->devices[0].name, "my veth=\\x");
	EXPECT_EQ(r->devices[1].name, "caf\xc3\xa9");
}

TEST(FormatParser, UnknownKeysRecordsAndFilesAreIgnored)
{
	auto r = read_case("unknown_ignored");
	ASSERT_TRUE(r) << r.error().message();
	ASSERT_EQ(r->probes.size(), 2u);
	EXPECT_EQ(r->probes[0].hits, 5u);
	EXPECT_EQ(r->probes[1].kind, ProbeKind::unknown);
	EXPECT_EQ(r->probes[1].kind_word, "fentry");
	EXPECT_EQ(r->probes[1].state, ProbeState::unknown);
	EXPECT_EQ(r->probes[1].state_word, "warming");
	ASSERT_TRUE(r->stats);
	EXPECT_EQ(r->stats->netns, 1u);
	ASSERT_EQ(r->netns.size(), 1u);
	EXPECT_EQ(r->netns[0].inum, 4026531840u);
}

TEST(FormatParser, BadLineNamesFileAndLine)
{
	auto r = read_case("bad_line");
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().code, Errc::malformed);
	std::string expected_what =
		std::string(NSPROBE_FIXTURES) + "/debugfs/bad_line/nsprobe/devices:3";
	EXPECT_EQ(r.error().what, expected_what);
	EXPECT_NE(r.error().why.find("tx_packets"), std::string::npos) << r.error().why;
	EXPECT_NE(r.error().why.find("12x"), std::string::npos) << r.error().why;
}

TEST(FormatParser, MajorMismatchNamesBothVersions)
{
	auto r = read_case("major_mismatch");
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().code, Errc::format_version_mismatch);
	EXPECT_NE(r.error().why.find("2.0"), std::string::npos) << r.error().why;
	EXPECT_NE(r.error().why.find(tool_format_version().str()), std::string::npos)
		<< r.error().why;
}

TEST(FormatParser, NewerMinorAccepted)
{
	auto r = read_case("minor_newer");
	ASSERT_TRUE(r) << r.error().message();
	EXPECT_EQ(r->version.major, 1u);
	EXPECT_EQ(r->version.minor, 7u);
	ASSERT_TRUE(r->stats);
}

TEST(FormatParser, EmptyFiles)
{
	auto r = read_case("empty");
	ASSERT_TRUE(r) << r.error().message();
	EXPECT_TRUE(r->probes.empty());
	EXPECT_FALSE(r->stats);
	EXPECT_TRUE(r->netns.empty());
	EXPECT_TRUE(r->devices.empty());
	EXPECT_TRUE(r->signals.empty());
}

TEST(FormatParser, VersionSyntax)
{
	EXPECT_TRUE(parse_version("nsprobe-format 1.0\n", "v"));
	EXPECT_TRUE(parse_version("nsprobe-format 1.12", "v"));
	for (const char *bad : {"", "\n", "nsprobe-format 1\n", "nsprobe-format  1.0\n",
				"nsprobe-format 1.0 \n", "nsprobe 1.0\n", "nsprobe-format 1.0\nx\n",
				"nsprobe-format -1.0\n", "nsprobe-format 1.x\n"}) {
		auto r = parse_version(bad, "v");
		ASSERT_FALSE(r) << bad;
		EXPECT_EQ(r.error().code, Errc::malformed) << bad;
		EXPECT_EQ(r.error().what, "v:1");
	}
	auto mm = parse_version("nsprobe-format 0.9\n", "v");
	ASSERT_FALSE(mm);
	EXPECT_EQ(mm.error().code, Errc::format_version_mismatch);
}

TEST(FormatParser, MalformedLines)
{
	const std::string ok = "probe name=a symbol=b kind=kprobe state=armed hits=1 nmissed=2 err=-3";
	ASSERT_TRUE(parse_probes(ok + "\n", "p"));
	struct Case {
		std::string text;
		std::string why_contains;
	} cases[] = {
		{"probe  name=a", "exactly one space"},
		{"probe name=a ", "exactly one space"},
		{"\n", "empty line"},
		{"probe name", "not key=value"},
		{"probe Name=a", "not [a-z0-9_]+"},
		{"probe name=", "empty value"},
		{"probe name=a name=b symbol=b kind=k state=s hits=1 nmissed=0 err=0", "twice"},
		{"probe name=a symbol=b kind=kprobe state=armed hits=1 nmissed=2", "lacks key 'err'"},
		{"probe name=a symbol=b kind=kprobe state=armed hits=-1 nmissed=2 err=0", "'-1'"},
		{"probe name=a symbol=b kind=kprobe state=armed hits=+1 nmissed=2 err=0", "'+1'"},
		{"probe name=a symbol=b kind=kprobe state=armed hits=18446744073709551616 nmissed=2 err=0",
		 "64 bits"},
		{"probe name=A symbol=b kind=kprobe state=armed hits=1 nmissed=2 err=0", "not a word"},
		{"probe name=a symbol=b\\09 kind=kprobe state=armed hits=1 nmissed=2 err=0", "escaped"},
		{"probe name=a symbol=b\x01 kind=kprobe state=armed hits=1 nmissed=2 err=0", "0x01"},
	};
	for (const Case &c : cases) {
		auto r = parse_probes(ok + "\n" + c.text + "\n", "p");
		ASSERT_FALSE(r) << c.text;
		EXPECT_EQ(r.error().code, Errc::malformed);
		EXPECT_EQ(r.error().what, "p:2") << c.text;
		EXPECT_NE(r.error().why.find(c.why_contains), std::string::npos)
			<< c.text << " -> " << r.error().why;
	}
}

TEST(FormatParser, RecordRanges)
{
	auto bad_signo = parse_signals("sig inum=1 cookie=2 signo=65 generated=0 forced=0 ignored=0 "
				       "ignored_init=0 ignored_sig_ign=0 ignored_default=0 "
				       "ignored_exiting=0 ignored_other=0\n", "s");
	ASSERT_FALSE(bad_signo);
	EXPECT_NE(bad_signo.error().why.find("signo 65"), std::string::npos);
	auto big_inum = parse_netns("netns inum=4294967296 cookie=1 devices=0 tx_packets=0 "
				    "tx_bytes=0 sig_generated=0 sig_ignored=0\n", "n");
	ASSERT_FALSE(big_inum);
	EXPECT_NE(big_inum.error().why.find("32 bits"), std::string::npos);
	auto two_stats = parse_stats("stats netns=0 devices=0 veth_untracked=0 sig_unattributed=0 "
				     "alloc_failed=0\nstats netns=0 devices=0 veth_untracked=0 "
				     "sig_unattributed=0 alloc_failed=0\n", "st");
	ASSERT_FALSE(two_stats);
}

TEST(FormatParser, Unescape)
{
	EXPECT_EQ(unescape("a\\040b"), "a b");
	EXPECT_EQ(unescape("\\075\\134\\000"), std::string("=\\\0", 3));
	EXPECT_EQ(unescape("\\377"), "\xff");
	EXPECT_FALSE(unescape("\\400"));
	EXPECT_FALSE(unescape("\\12"));
	EXPECT_FALSE(unescape("\\"));
	EXPECT_FALSE(unescape("\\n"));
	EXPECT_FALSE(unescape("a b"));
	EXPECT_FALSE(unescape("a=b"));
}

TEST(DebugfsSource, Diagnosis)
{
	namespace fs = std::filesystem;
	fs::path tmp = fs::temp_directory_path() / ("nsprobe-unit-" + std::to_string(::getpid()));
	fs::create_directories(tmp);

	// Missing mount point.
	auto missing = DebugfsSource({(tmp / "nope").string(), true}).read();
	ASSERT_FALSE(missing);
	EXPECT_EQ(missing.error().code, Errc::debugfs_not_mounted);

	// A directory that is not debugfs, at the default location semantics.
	auto notdebugfs = DebugfsSource({tmp.string(), true}).read();
	ASSERT_FALSE(notdebugfs);
	EXPECT_EQ(notdebugfs.error().code, Errc::debugfs_not_mounted);
	EXPECT_NE(notdebugfs.error().why.find("0x64626720"), std::string::npos);

	// An explicit directory without nsprobe/ gets the default's checks:
	// a plain directory is not a debugfs mount (exit 4), and says what
	// is missing.
	auto plain = DebugfsSource({tmp.string(), false}).read();
	ASSERT_FALSE(plain);
	EXPECT_EQ(plain.error().code, Errc::debugfs_not_mounted);
	EXPECT_EQ(plain.error().what, tmp.string());
	EXPECT_EQ(plain.error().hint, "give the debugfs mount point (--debugfs /sys/kernel/debug), "
				      "or mount it there: mount -t debugfs none DIR");
	EXPECT_NE(plain.error().why.find(", and no nsprobe/ in it"), std::string::npos)
		<< plain.error().why;

	// An explicit --debugfs that is a regular file: the same (exit 4),
	// not an internal error (1) for "Not a directory".
	fs::path file = tmp / "a-file";
	std::ofstream(file) << "x\n";
	auto notdir = DebugfsSource({file.string(), false}).read();
	ASSERT_FALSE(notdir);
	EXPECT_EQ(notdir.error().code, Errc::debugfs_not_mounted);
	EXPECT_EQ(notdir.error().what, file.string());
	fs::remove(file);

	// A debugfs mount (explicit or default) without nsprobe/: module not
	// loaded (exit 3), with both ways to load it.
	struct OnDebugfs : DebugfsSource {
		using DebugfsSource::DebugfsSource;
		std::optional<unsigned long> fs_type(const std::string &) const override
		{
			return 0x64626720;	// DEBUGFS_MAGIC
		}
	};
	for (bool dflt : {false, true}) {
		auto nomod = OnDebugfs({tmp.string(), dflt}).read();
		ASSERT_FALSE(nomod);
		EXPECT_EQ(nomod.error().code, Errc::module_not_loaded);
		EXPECT_EQ(nomod.error().message(),
			  (tmp / "nsprobe").string() +
				  ": does not exist (the nsprobe module is not loaded; load it: "
				  "modprobe nsprobe (installed by the nsprobe-dkms package), or "
				  "insmod kmod/nsprobe.ko from a build)");
	}

	// nsprobe/ exists, but a required file is missing: malformed.
	fs::create_directories(tmp / "nsprobe");
	{
		FILE *f = std::fopen((tmp / "nsprobe/version").c_str(), "w");
		std::fputs("nsprobe-format 1.0\n", f);
		std::fclose(f);
	}
	auto partial = DebugfsSource({tmp.string(), false}).read();
	ASSERT_FALSE(partial);
	EXPECT_EQ(partial.error().code, Errc::malformed);
	EXPECT_EQ(partial.error().what, (tmp / "nsprobe/probes").string());
	fs::remove_all(tmp);
}

TEST(DebugfsSource, AccessErrorsAndLockdown)
{
	EXPECT_EQ(parse_lockdown("none [integrity] confidentiality\n"), "integrity");
	EXPECT_EQ(parse_lockdown("[none] integrity confidentiality\n"), "none");
	EXPECT_FALSE(parse_lockdown(""));
	EXPECT_EQ(access_error("p", EPERM, std::string("integrity")).code, Errc::lockdown);
	EXPECT_EQ(access_error("p", EPERM, std::string("confidentiality")).code, Errc::lockdown);
	EXPECT_EQ(access_error("p", EPERM, std::string("none")).code, Errc::permission_denied);
	EXPECT_EQ(access_error("p", EPERM, std::nullopt).code, Errc::permission_denied);
	EXPECT_EQ(access_error("p", EACCES, std::string("integrity")).code,
		  Errc::permission_denied);
	EXPECT_EQ(access_error("p", EIO, std::nullopt).code, Errc::internal);
}

TEST(DebugfsSource, ResolveLocation)
{
	::unsetenv(kDebugfsEnv);
	auto def = resolve_debugfs(std::nullopt);
	EXPECT_EQ(def.root, kDefaultDebugfs);
	EXPECT_TRUE(def.require_debugfs_magic);
	::setenv(kDebugfsEnv, "/tmp/x", 1);
	auto env = resolve_debugfs(std::nullopt);
	EXPECT_EQ(env.root, "/tmp/x");
	EXPECT_FALSE(env.require_debugfs_magic);
	auto flag = resolve_debugfs(std::string("/tmp/y"));
	EXPECT_EQ(flag.root, "/tmp/y");
	::unsetenv(kDebugfsEnv);
}

// The exit-4 hint: /sys/kernel/debug given with --debugfs is the default
// spelled out and gets the default's hint, never "give --debugfs
// /sys/kernel/debug"; any other directory is told to give the mount point.
TEST(DebugfsSource, NotDebugfsHint)
{
	const std::string mount = "mount it: mount -t debugfs none /sys/kernel/debug";
	const std::string give = "give the debugfs mount point (--debugfs /sys/kernel/debug), "
				 "or mount it there: mount -t debugfs none DIR";
	EXPECT_EQ(not_debugfs_hint({kDefaultDebugfs, true}), mount);
	EXPECT_EQ(not_debugfs_hint({"/sys/kernel/debug", false}), mount);
	EXPECT_EQ(not_debugfs_hint({"/sys/kernel/debug/", false}), mount);
	EXPECT_EQ(not_debugfs_hint({"/sys/kernel/debug//", false}), mount);
	EXPECT_EQ(not_debugfs_hint({"/tmp", false}), give);
	EXPECT_EQ(not_debugfs_hint({"/sys/kernel", false}), give);
	EXPECT_EQ(not_debugfs_hint({"/sys/kernel/debugfs", false}), give);
	EXPECT_EQ(not_debugfs_hint({"/", false}), give);
}

// <root>/nsprobe with one slash, however the root was spelled.
TEST(DebugfsSource, DirJoinsWithOneSlash)
{
	EXPECT_EQ(DebugfsSource({"/sys/kernel/debug", true}).dir(), "/sys/kernel/debug/nsprobe");
	EXPECT_EQ(DebugfsSource({"/sys/kernel/debug/", false}).dir(), "/sys/kernel/debug/nsprobe");
	EXPECT_EQ(DebugfsSource({"/x//", false}).dir(), "/x/nsprobe");
	EXPECT_EQ(DebugfsSource({"/", false}).dir(), "/nsprobe");
	EXPECT_EQ(DebugfsSource({"rel/", false}).dir(), "rel/nsprobe");
}

// (1.5) EventsFile on a plain file: read() starts from offset 0 each time;
// select() writes exactly the documented line; a missing file is an error.
TEST(EventsFile, SelectionLineAndRereads)
{
	namespace fs = std::filesystem;
	fs::path dir = fs::temp_directory_path() / fmt::format("nsprobe-ev-{}", ::getpid());
	fs::remove_all(dir);
	fs::create_directories(dir);
	std::ofstream(dir / "events") << "";
	auto f = EventsFile::open(dir.string(), true);
	ASSERT_TRUE(f) << f.error().message();
	EXPECT_TRUE(f->selectable());
	ASSERT_TRUE(f->select(4026532201u, 4097, 12));
	auto once = f->read();
	ASSERT_TRUE(once);
	EXPECT_EQ(*once, "select inum=4026532201 cookie=4097 after=12\n");
	auto twice = f->read();
	ASSERT_TRUE(twice);
	EXPECT_EQ(*twice, *once) << "each read starts at offset 0";
	// (1.6) With a signal set.
	std::ofstream(dir / "events", std::ios::trunc) << "";
	auto g = EventsFile::open(dir.string(), true);
	ASSERT_TRUE(g);
	ASSERT_TRUE(g->select(7, 1, 0, 65536 | 512));
	auto with_set = g->read();
	ASSERT_TRUE(with_set);
	EXPECT_EQ(*with_set, "select inum=7 cookie=1 after=0 signals=66048\n");
	auto ro = EventsFile::open(dir.string(), false);
	ASSERT_TRUE(ro);
	EXPECT_FALSE(ro->selectable());
	auto missing = EventsFile::open((dir / "none").string(), true);
	fs::remove_all(dir);
	ASSERT_FALSE(missing);
	EXPECT_EQ(missing.error().sys_errno, ENOENT);
}
