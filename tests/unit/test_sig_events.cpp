// SPDX-License-Identifier: GPL-2.0 OR MIT
// The events file parser (format.h NSP_FILE_EVENTS) and the plain-words
// explanations of `nsprobe signals`.
#include <gtest/gtest.h>

#include "golden.h"
#include "libnsprobe/sig_events.h"

using namespace nsprobe;
using nsprobe::test::read_fixture;

namespace {

const char *kEvents =
	"evring inum=4026532301 cookie=7 size=256 written=3 overflow=0\n"
	"ev inum=4026532301 cookie=7 seq=1 ts_ns=36118527628 sender_pid=175 sender_tgid=175 "
	"sender_comm=bash sender_netns=4026531840 target_pid=186 target_tgid=186 "
	"target_comm=my\\040init target_nspid=1 target_pidns=4026532249 signo=15 code=0 "
	"outcome=ignored reason=init origin=process forced=1\n"
	"ev inum=4026532301 cookie=7 seq=2 ts_ns=39748038892 sender_pid=186 sender_tgid=186 "
	"sender_comm=nsp-sigtarget sender_netns=0 target_pid=182 target_tgid=182 "
	"target_comm=unshare target_nspid=182 target_pidns=4026531836 signo=17 code=2 "
	"outcome=ignored reason=default origin=kernel forced=-\n"
	"ev inum=4026532301 cookie=7 seq=3 ts_ns=40000001000 sender_pid=175 sender_tgid=175 "
	"sender_comm=bash sender_netns=4026531840 target_pid=186 target_tgid=186 "
	"target_comm=init target_nspid=1 target_pidns=4026532249 signo=9 code=0 "
	"outcome=delivered_term reason=- origin=process forced=1 newkey=5\n"
	"future inum=1 x=2\n";

} // namespace

TEST(SigEvents, ParsesRingsAndEvents)
{
	auto r = parse_sig_events(kEvents, "events");
	ASSERT_TRUE(r) << r.error().message();
	ASSERT_EQ(r->rings.size(), 1u);
	EXPECT_EQ(r->rings[0].inum, 4026532301u);
	EXPECT_EQ(r->rings[0].size, 256u);
	EXPECT_EQ(r->rings[0].written, 3u);
	ASSERT_EQ(r->events.size(), 3u);
	const SigEvent &e = r->events[0];
	EXPECT_EQ(e.seq, 1u);
	EXPECT_EQ(e.ts_ns, 36118527628u);
	EXPECT_EQ(e.sender_comm, "bash");
	EXPECT_EQ(e.target_comm, "my init");
	EXPECT_EQ(e.target_nspid, 1u);
	EXPECT_EQ(e.target_pidns, 4026532249u);
	EXPECT_EQ(e.signo, 15);
	EXPECT_EQ(e.outcome, "ignored");
	EXPECT_EQ(e.reason, "init");
	EXPECT_EQ(e.forced, "1");
	EXPECT_EQ(r->events[1].code, 2);
	EXPECT_EQ(r->events[1].forced, "-");
	EXPECT_EQ(r->events[2].outcome, "delivered_term");
}

// (format 1.6) The module's signals= set: bit (signo - 1) of what passes.
TEST(SigEvents, KernelSignalSetOfAFilter)
{
	SigEventFilter f;
	EXPECT_EQ(f.kernel_signal_set(), std::nullopt);	// no signal filter
	f.since_ts_ns = 5;
	EXPECT_EQ(f.kernel_signal_set(), std::nullopt);	// --since only
	f.signals = {17, 10};
	EXPECT_EQ(f.kernel_signal_set(), std::optional<uint64_t>(65536 | 512));
	f.exclude = {10};
	EXPECT_EQ(f.kernel_signal_set(), std::optional<uint64_t>(65536));
	f.signals.clear();	// everything but SIGCHLD, up to SIGRTMAX (64)
	f.exclude = {17};
	EXPECT_EQ(f.kernel_signal_set(), std::optional<uint64_t>(~65536ull));
	f.exclude = {64};
	EXPECT_EQ(f.kernel_signal_set(), std::optional<uint64_t>(~0ull >> 1));
	f.signals = {15};	// --signal TERM --exclude-signal TERM: nothing passes
	f.exclude = {15};
	EXPECT_EQ(f.kernel_signal_set(), std::nullopt);
}

TEST(SigEvents, MissingKeyIsMalformed)
{
	auto r = parse_sig_events("evring inum=1 cookie=1 size=4 written=0\n", "events");
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().code, Errc::malformed);
	EXPECT_EQ(r.error().what, "events:1");
}

TEST(SigEvents, BadEscapeIsMalformed)
{
	std::string bad = kEvents;
	bad.replace(bad.find("my\\040init"), 10, "my\\9init");
	auto r = parse_sig_events(bad, "events");
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().what, "events:2");
}

TEST(SigEvents, ExplainsInitProtection)
{
	EXPECT_EQ(explain_ignored(15, "init", 3, 4026532301u, "PID 1", "1"),
		  "SIGTERM to PID 1 of netns 4026532301 ignored 3×: PID 1 installed no handler; "
		  "from outside its pid namespace only SIGKILL and SIGSTOP get through");
	EXPECT_EQ(explain_ignored(9, "init", 1, 7, "PID 1", "0"),
		  "SIGKILL to PID 1 of netns 7 ignored: PID 1 installed no handler (it cannot, "
		  "for SIGKILL), and SIGKILL only gets through when sent from outside its pid "
		  "namespace");
}

TEST(SigEvents, ExplainsOtherReasons)
{
	EXPECT_EQ(explain_ignored(17, "default", 5, 7, "PID 1", "-"),
		  "SIGCHLD to PID 1 of netns 7 ignored 5×: no handler installed, and the default "
		  "action of SIGCHLD is to ignore it (for any process, not only PID 1)");
	EXPECT_EQ(explain_ignored(10, "sig_ign", 2, 7, "processes", "-"),
		  "SIGUSR1 to processes of netns 7 ignored 2×: the process set SIGUSR1 to SIG_IGN");
	EXPECT_EQ(explain_ignored(15, "exiting", 1, 7, "processes", "-"),
		  "SIGTERM to processes of netns 7 ignored: the target was already exiting "
		  "(its thread group was dying)");
}

TEST(SigEvents, EventLine)
{
	auto r = parse_sig_events(kEvents, "events");
	ASSERT_TRUE(r);
	EXPECT_EQ(event_text(r->events[0]),
		  "36.118527 bash[175] netns 4026531840 -> my init[186] pid 1 in pidns 4026532249 "
		  "netns 4026532301: SIGTERM ignored (init), process, forced: SIGTERM to PID 1 of "
		  "netns 4026532301 ignored: PID 1 installed no handler; from outside its pid "
		  "namespace only SIGKILL and SIGSTOP get through");
	EXPECT_EQ(event_text(r->events[2]),
		  "40.000001 bash[175] netns 4026531840 -> init[186] pid 1 in pidns 4026532249 "
		  "netns 4026532301: SIGKILL delivered_term, process, forced: fatal: no handler, "
		  "and the default action (terminate) started at once");
	auto j = event_json(r->events[1]);
	EXPECT_EQ(j["forced"], nullptr);
	EXPECT_EQ(j["origin"], "kernel");
	EXPECT_EQ(j["target"]["nspid"], 182);
	EXPECT_EQ(j["name"], "SIGCHLD");
}

// Format 1.3: cause=, and sends from interrupt context (sender_pid=0 and an
// empty sender_comm=).
TEST(SigEvents, Format13CauseAndInterruptSender)
{
	auto r = parse_sig_events(read_fixture("debugfs/v1_3/nsprobe/events"), "events");
	ASSERT_TRUE(r) << r.error().message();
	ASSERT_EQ(r->events.size(), 5u);

	const SigEvent &timer = r->events[0];
	EXPECT_EQ(timer.sender_pid, 0u);
	EXPECT_EQ(timer.sender_comm, "");
	EXPECT_EQ(timer.cause, "-");
	EXPECT_TRUE(from_interrupt(timer));
	EXPECT_EQ(event_text(timer),
		  "50.000000 sent from interrupt context (a timer), no sending task -> sleeper[300] "
		  "pid 300 in pidns 4026531836 netns 4026531840: SIGALRM queued, kernel, forced: "
		  "queued; the target takes it on its way back to user space");
	auto tj = event_json(timer);
	EXPECT_EQ(tj["sender"]["interrupt"], true);
	EXPECT_EQ(tj["sender"]["pid"], 0);
	EXPECT_EQ(tj["sender"]["comm"], "");
	EXPECT_EQ(tj["cause"], nullptr);

	const SigEvent &oom = r->events[2];
	EXPECT_EQ(oom.cause, "oom");
	EXPECT_FALSE(from_interrupt(oom));
	EXPECT_EQ(event_text(oom),
		  "52.000000 hog[190] netns 4026532201 -> hog[190] pid 4 in pidns 4026532249 netns "
		  "4026532201: SIGKILL by the OOM killer delivered_term, kernel, forced: killed: the "
		  "OOM killer chose this task to free memory (memory.events oom_kill counts it); the "
		  "sender is the task that ran the OOM killer");
	auto oj = event_json(oom);
	EXPECT_EQ(oj["cause"], "oom");
	EXPECT_EQ(oj["sender"]["interrupt"], false);
	EXPECT_EQ(oj["sender"]["comm"], "hog");

	// A plain SIGKILL of the same ring says nothing of the OOM killer.
	EXPECT_EQ(r->events[4].cause, "-");
	EXPECT_EQ(event_text(r->events[4]).find("OOM"), std::string::npos);
}

TEST(SigEvents, OomKillOfAnExitingTarget)
{
	SigEvent e;
	e.signo = 9;
	e.outcome = "ignored";
	e.reason = "exiting";
	e.cause = "oom";
	e.inum = 7;
	e.target_pid = 42;
	e.target_nspid = 42;
	e.sender_pid = 1;
	e.sender_comm = "x";
	EXPECT_EQ(event_json(e)["explanation"],
		  "the OOM killer chose this task to free memory (memory.events oom_kill counts "
		  "it); the sender is the task that ran the OOM killer; SIGKILL to PID 42 of netns 7 "
		  "ignored: the target was already exiting (its thread group was dying)");
	e.cause = "later";	// a cause word newer than this tool: shown as is
	EXPECT_NE(event_text(e).find("SIGKILL (cause later) ignored"), std::string::npos)
		<< event_text(e);
	EXPECT_EQ(event_json(e)["cause"], "later");
}

// Before 1.3 there is no cause key: still parsed, cause empty, JSON null.
TEST(SigEvents, CauseIsOptionalAndOtherEmptyValuesAreNot)
{
	auto r = parse_sig_events(kEvents, "events");
	ASSERT_TRUE(r);
	EXPECT_EQ(r->events[0].cause, "");
	EXPECT_EQ(event_json(r->events[0])["cause"], nullptr);
	EXPECT_FALSE(from_interrupt(r->events[0]));

	std::string bad = kEvents;
	bad.replace(bad.find("sender_pid=175"), 14, "sender_pid=");
	auto b1 = parse_sig_events(bad, "events");
	ASSERT_FALSE(b1);
	EXPECT_EQ(b1.error().what, "events:2");

	bad = kEvents;
	bad.replace(bad.find("outcome=ignored"), 15, "outcome=");
	auto b2 = parse_sig_events(bad, "events");
	ASSERT_FALSE(b2);
	EXPECT_NE(b2.error().why.find("outcome"), std::string::npos) << b2.error().why;

	bad = kEvents;
	bad.replace(bad.find("forced=1\n"), 8, "forced=1 cause=");
	auto b3 = parse_sig_events(bad, "events");
	ASSERT_FALSE(b3);
	EXPECT_NE(b3.error().why.find("cause"), std::string::npos) << b3.error().why;
}

// Format 1.3 cause=init_exit: the SIGKILLs of a pid namespace whose PID 1
// exited (zap_pid_ns_processes()), sent by that PID 1.
TEST(SigEvents, InitExitCause)
{
	auto r = parse_sig_events(read_fixture("debugfs/why/nsprobe/events"), "events");
	ASSERT_TRUE(r) << r.error().message();
	ASSERT_GE(r->events.size(), 4u);
	const SigEvent &zap = r->events[3];
	EXPECT_EQ(zap.cause, "init_exit");
	EXPECT_EQ(event_text(zap),
		  "102.000150 sleep[900] netns 4026532301 -> sh[905] pid 2 in pidns 4026532399 "
		  "netns 4026532301: SIGKILL at pid namespace teardown delivered_term, kernel, "
		  "forced: killed: PID 1 of its pid namespace exited, and the kernel kills every "
		  "task left in it (zap_pid_ns_processes()); the sender is that PID 1");
	EXPECT_EQ(event_json(zap)["cause"], "init_exit");
}

// Format 1.4: two rings per netns, notable and routine. evring's size,
// written and overflow are sums; notable_* the notable ring's own; each ev
// says its class.
TEST(SigEvents, Format14Classes)
{
	const std::string text =
		"evring inum=4026532201 cookie=4097 size=8 written=10 overflow=3 notable_size=4 "
		"notable_written=5 notable_overflow=1\n"
		"ev inum=4026532201 cookie=4097 seq=10 ts_ns=1 sender_pid=175 sender_tgid=175 "
		"sender_comm=bash sender_netns=4026531840 target_pid=186 target_tgid=186 "
		"target_comm=init target_nspid=1 target_pidns=4026532249 signo=15 code=0 "
		"outcome=ignored reason=init origin=process forced=1 cause=- class=notable\n";
	auto r = parse_sig_events(text, "events");
	ASSERT_TRUE(r) << r.error().message();
	const SigRing &ring = r->rings.at(0);
	EXPECT_EQ(ring.notable_size, 4u);
	EXPECT_EQ(ring.notable_written, 5u);
	EXPECT_EQ(ring.story_overflow(), 1u);
	EXPECT_EQ(ring.routine_overflow(), 2u);
	EXPECT_EQ(r->events.at(0).ev_class, "notable");
	EXPECT_EQ(event_json(r->events.at(0))["class"], "notable");
	nlohmann::json j = ring_json(ring);
	EXPECT_EQ(j["notable_overflow"], 1);
	EXPECT_EQ(j["overflow"], 3);

	// 1.3: one ring; the story's loss is the whole overflow, no class
	auto old = parse_sig_events("evring inum=1 cookie=1 size=8 written=10 overflow=2\n", "events");
	ASSERT_TRUE(old);
	EXPECT_FALSE(old->rings.at(0).notable_size);
	EXPECT_EQ(old->rings.at(0).story_overflow(), 2u);
	EXPECT_EQ(old->rings.at(0).routine_overflow(), 0u);
	EXPECT_EQ(ring_json(old->rings.at(0))["notable_overflow"], nullptr);

	// a notable loss larger than the whole is malformed
	std::string bad = text;
	bad.replace(bad.find("notable_overflow=1"), 18, "notable_overflow=4");
	auto b = parse_sig_events(bad, "events");
	ASSERT_FALSE(b);
	EXPECT_EQ(b.error().what, "events:1");
}

// (format 1.7) ev gseq= and the evnode record of a "select gseq_after=" read;
// both absent from an older module.
TEST(SigEvents, Format17GseqAndEvnode)
{
	auto old = parse_sig_events(kEvents, "events");
	ASSERT_TRUE(old) << old.error().message();
	EXPECT_FALSE(old->node_gseq);
	EXPECT_FALSE(old->events[0].gseq);

	auto r = parse_sig_events(
		"evnode gseq=42\n"
		"evring inum=4026532301 cookie=7 size=320 written=1 overflow=0 notable_size=64 "
		"notable_written=1 notable_overflow=0\n"
		"ev inum=4026532301 cookie=7 seq=1 ts_ns=1 sender_pid=1 sender_tgid=1 sender_comm=a "
		"sender_netns=1 target_pid=2 target_tgid=2 target_comm=b target_nspid=1 "
		"target_pidns=3 signo=15 code=0 outcome=queued reason=- origin=process forced=0 "
		"cause=- class=notable gseq=41\n",
		"events");
	ASSERT_TRUE(r) << r.error().message();
	ASSERT_TRUE(r->node_gseq);
	EXPECT_EQ(*r->node_gseq, 42u);
	ASSERT_EQ(r->events.size(), 1u);
	ASSERT_TRUE(r->events[0].gseq);
	EXPECT_EQ(*r->events[0].gseq, 41u);

	auto bad = parse_sig_events("evnode gseq=x\n", "events");
	ASSERT_FALSE(bad);
	EXPECT_EQ(bad.error().code, Errc::malformed);
	EXPECT_EQ(bad.error().what, "events:1");
}
