// SPDX-License-Identifier: GPL-2.0 OR MIT
// nsprobe watch [-i SEC] [-n COUNT] [--netns X] [--plain|--json]: live rates
// per netns and interface, refreshed in place like top on a terminal, one
// block per refresh otherwise.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "exit_codes.h"
#include "libnsprobe/correlator.h"
#include "libnsprobe/debugfs_source.h"
#include "libnsprobe/drops.h"
#include "libnsprobe/fd.h"
#include "libnsprobe/latency.h"
#include "libnsprobe/link_cache.h"
#include "libnsprobe/link_source.h"
#include "libnsprobe/netns_discovery.h"
#include "libnsprobe/rates.h"
#include "libnsprobe/render.h"
#include "libnsprobe/table.h"

namespace nsprobe::cli {
namespace {

double now_s()
{
	struct timespec ts {};
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void sleep_until(double t)
{
	for (;;) {
		double d = t - now_s();
		if (d <= 0)
			return;
		struct timespec ts {};
		ts.tv_sec = static_cast<time_t>(d);
		ts.tv_nsec = static_cast<long>((d - std::floor(d)) * 1e9);
		if (nanosleep(&ts, nullptr) == 0)
			return;
		if (errno != EINTR)
			return;
	}
}

std::string wall_clock()
{
	time_t t = time(nullptr);
	struct tm tm {};
	localtime_r(&t, &tm);
	char buf[32];
	strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
	return buf;
}


// --wide: each netns's root qdisc drops (packets, summed over its root
// qdiscs, as `tc -s`) and its stack's receive drops (stack_rx_drops()), by
// inum. A netns whose qdiscs or snmp cannot be read is left out of that map:
// unknown, shown "-".
void read_drop_stages(const std::vector<NetnsObservation> &obs, NetlinkLinkSource &links,
		      std::map<uint64_t, uint64_t> &qdisc, std::map<uint64_t, uint64_t> &stack)
{
	for (const NetnsObservation &o : obs) {
		if (!o.dump)
			continue;
		auto c = links.drop_counters(o.info);
		if (!c)
			continue;
		if (auto st = stack_rx_drops(*c))
			stack[o.info.id.inum] = *st;
		if (!c->qdisc_error)
			qdisc[o.info.id.inum] = root_qdisc_drops(c->qdiscs);
	}
}

} // namespace

WatchCommand::WatchCommand(CLI::App &app, const GlobalOptions &g)
	: Command(app, g, "watch", "live rates per netns and interface, like top",
		  "nsprobe watch -i 2 --netns pid:1234")
{
	sub_->add_option("-i,--interval", interval_, "seconds between refreshes (default 1)")
		->type_name("SEC")
		->check(CLI::Range(0.05, 3600.0));
	sub_->add_option("-n,--count", count_, "stop after COUNT refreshes (default: never)")
		->type_name("COUNT")
		->check(CLI::Range(1, 1000000000));
	add_netns_option();
	sub_->add_option("--rescan", rescan_,
			 "scan /proc for netns, and dump each one's links in full, at least every "
			 "SEC seconds (default 30; 0: every refresh). Between scans only link "
			 "counters are read (a netns whose links changed is dumped again at once); "
			 "a netns the module lists, an `ip netns add` or a netns that vanished "
			 "makes the next refresh rescan")
		->type_name("SEC")
		->check(CLI::Range(0.0, 86400.0));
	sub_->add_flag("--plain", plain_, "no screen refresh, even on a terminal");
	sub_->add_flag("--wide", wide_,
		       "also drops/s by stage: QDISC_DROPS/S (root qdiscs), DROPS/S (the total: "
		       "qdisc + RX+TX_DROP + stack), NSP_DROPS/S (in veth_xmit, part of TX_DROP), "
		       "BACKLOG_DROPS/S (of those, refused by the per-CPU backlog), STACK_DROPS/S "
		       "(received, dropped by the netns's IPv4/UDP/TCP), and the veth latency p99 "
		       "of the interval, XMIT_P99 and CROSS_P99 ('-' unless the module has "
		       "latency=1)");
	add_json_flag("one JSON document per refresh, one per line (schema nsprobe/1)");
	add_footer("Rates are per second over the last interval, keyed by netns (inum, cookie) and\n"
		     "ifindex: a netns or interface new since the last refresh, or a counter that\n"
		     "went backwards (reset), shows '-' (JSON null) for that interval.\n"
		     "Rows: one '*' row per netns (its interfaces summed, its signals), then its\n"
		     "interfaces (loopback left out); netns busiest first. NO_COLOR disables colour.\n"
		     "Each sample reads the link stats, the module's counters and its latency\n"
		     "histograms in one window, stamped once (JSON sample_span: its length).");
}

int WatchCommand::run()
{
	bool tty = ::isatty(STDOUT_FILENO) == 1;
	bool redraw = tty && !plain_ && !json_;
	bool color = !json_ && stdout_color();
	raise_fd_limit();
	DebugfsLocation loc = resolve_debugfs(g_.debugfs);

	// One sample: the netns list first (a full /proc scan only when it may
	// be stale: CachedNetnsDiscovery), then, in one window stamped once (its
	// middle), the links of every netns (LinkDumpCache: a full dump at each
	// full scan, else only the counters, from /proc/<pid>/net/dev or
	// RTM_GETSTATS, with a full dump of a netns whose links changed), the
	// module's counters and its latency histograms, so every rate of a
	// frame covers the same interval. When the reused list proves stale in
	// that window (a netns vanished, the module lists one it lacks, or
	// lists one of its inums with another cookie), the sample is taken
	// again after a full scan. Veth peers are not resolved: watch prints
	// none. Selection and errors as show_model() (commands.h).
	const std::vector<std::string> netns_dirs = {"/run/netns", "/var/run/docker/netns"};
	ProcNetnsDiscovery discovery("/proc", netns_dirs);
	CachedNetnsDiscovery cache(discovery, rescan_, netns_dirs, now_s);
	LinkDumpCache link_cache;
	auto take = [&](Sample &out, std::string &note) -> int {
		std::vector<NetnsObservation> obs;
		std::map<uint64_t, uint64_t> qdisc_drops, stack_drops;
		std::optional<Result<Snapshot>> snap;
		std::optional<Result<std::string>> lat;
		DebugfsSource src(loc);
		NetlinkLinkSource links;
		double t0 = 0, t1 = 0;
		for (;;) {
			auto scanned = cache.scan();
			if (!scanned)
				return fail(scanned.error());
			bool full = cache.last_was_full();
			if (full)
				link_cache.clear();
			qdisc_drops.clear();
			stack_drops.clear();
			lat.reset();
			t0 = now_s();
			obs = link_cache.collect(std::move(*scanned), links, links);
			// The module's counters right after the link stats, before
			// the slower --wide pass: NSP_DROPS/S is part of TX_DROP,
			// and the two are read as close together as they can be.
			snap = src.read();
			if (*snap)
				lat = read_whole_file(src.dir() + "/" + NSP_FILE_LATENCY);
			if (wide_)
				read_drop_stages(obs, links, qdisc_drops, stack_drops);
			t1 = now_s();
			bool stale = false;
			for (const NetnsObservation &o : obs)
				if (o.error && o.error->code == Errc::netns_not_found)
					stale = true;
			if (*snap && cookie_disagrees(obs, **snap))
				stale = true;	// an inum of a new netns: cached cookie
			if (*snap)
				for (const NetnsRecord &r : (*snap)->netns)
					if (!cache.knows(r.inum)) {
						if (full)
							cache.accept(r.inum);	// only the module sees it
						else
							stale = true;
					}
			if (!stale || full)
				break;
			cache.invalidate();
		}
		auto model = model_of(obs, links, *snap, src.dir(), netns_, false);
		if (!model)
			return fail(model.error());
		ShowModel &m = *model;
		note = *snap ? std::string()
			     : "nsprobe counters unavailable: " + snap->error().message();
		out = sample_of(m, (t0 + t1) / 2);
		out.span = t1 - t0;
		for (NetnsSample &n : out.netns) {
			if (auto q = qdisc_drops.find(n.inum); q != qdisc_drops.end())
				n.qdisc_drops = q->second;
			if (auto st = stack_drops.find(n.inum); st != stack_drops.end())
				n.stack_drops = st->second;
		}
		if (lat) {
			out.latency_on = lat->ok();
			if (lat->ok()) {
				auto f = parse_latency(**lat, src.dir() + "/" + NSP_FILE_LATENCY);
				if (!f)
					return fail(f.error());
				add_latency(out, *f);
			} else if (lat->error().sys_errno != ENOENT) {
				return fail(lat->error());
			}
		}
		return kExitOk;
	};

	Sample prev;
	std::string note;
	if (int rc = take(prev, note); rc != kExitOk)
		return rc;
	double next = prev.t + interval_;
	for (long frame = 1; count_ == 0 || frame <= count_; frame++) {
		sleep_until(next);
		next += interval_;
		Sample cur;
		if (int rc = take(cur, note); rc != kExitOk)
			return rc;
		auto rates = compute_rates(prev, cur);
		if (json_) {
			WatchFrame f{frame, cur.t - prev.t, std::max(prev.span, cur.span),
				     cur.latency_on, note, std::move(rates)};
			nlohmann::json j = to_json(f);
			emit(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
		} else {
			std::string body = render_watch_text(rates, {.wide = wide_, .color = color});
			std::string head = fmt::format("nsprobe watch  {}  every {:.2g} s  {} netns\n",
						       wall_clock(), interval_, rates.size());
			if (!note.empty())
				head += note + "\n";
			if (redraw) {
				struct winsize ws {};
				size_t rows = ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 3
						      ? ws.ws_row - 1
						      : SIZE_MAX;
				std::string all = head + "\n" + body, clipped;
				size_t lines = 0;
				for (size_t p = 0; p < all.size() && lines < rows;) {
					size_t nl = all.find('\n', p);
					size_t e = nl == std::string::npos ? all.size() : nl + 1;
					clipped += all.substr(p, e - p);
					p = e;
					lines++;
				}
				emit("\033[H\033[2J" + clipped);
			} else {
				emit(head + body + "\n");
			}
		}
		if (std::fflush(stdout) != 0 || std::ferror(stdout))
			return kExitOk;	// main()'s finish_stdout() reports it
		prev = std::move(cur);
	}
	// For tests and benchmarks: what the link cache did.
	if (std::getenv("NSPROBE_WATCH_STATS")) {
		const LinkCacheStats &s = link_cache.stats();
		std::fprintf(stderr,
			     "nsprobe: watch: link dumps: full %llu, /proc/net/dev %llu, "
			     "RTM_GETSTATS %llu, refused %llu\n",
			     static_cast<unsigned long long>(s.full_dumps),
			     static_cast<unsigned long long>(s.proc_reads),
			     static_cast<unsigned long long>(s.netlink_reads),
			     static_cast<unsigned long long>(s.refused));
	}
	return kExitOk;
}

} // namespace nsprobe::cli
