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

nlohmann::json opt(std::optional<double> v)
{
	return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

} // namespace

// "-" for an unknown latency, never 0.
std::string p99_text(std::optional<double> ns)
{
	return ns ? format_ns(*ns) : "-";
}

// One text frame of rates; `wide` adds NSP_DROPS/S (veth_xmit drops) and
// the latency p99 columns.
std::string render_watch_text(const std::vector<NetnsRate> &rates, bool color, bool wide)
{
	using R = Table::Align;
	// The words of show's columns for the same quantities, per second.
	std::vector<Table::Column> cols = {
		{"NETNS"},	  {"NAME"},	 {"IFACE"},
		{"RX_PACKETS/S", R::right},	 {"TX_PACKETS/S", R::right},
		{"RX_BYTES/S", R::right},	 {"TX_BYTES/S", R::right},
		{"RX+TX_DROP/S", R::right},	 {"NSP_TX_PACKETS/S", R::right},
		{"NSP_TX_BYTES/S", R::right}, {"SIG_GENERATED/S", R::right},
		{"SIG_IGNORED/S", R::right}};
	if (wide)
		for (const char *h : {"QDISC_DROPS/S", "DROPS/S", "NSP_DROPS/S", "XMIT_P99",
				      "CROSS_P99"})
			cols.push_back({h, R::right});
	Table t(cols);
	auto sum = [](const std::vector<IfaceRate> &ifs, std::optional<double> IfaceRate::*m) {
		std::optional<double> total;
		for (const IfaceRate &i : ifs)
			if (i.*m)
				total = total.value_or(0) + *(i.*m);
		return total;
	};
	for (const NetnsRate &n : rates) {
		// The netns row: its interfaces summed, its drops and signals.
		std::vector<std::string> row = {
			fmt::format("{}", n.inum), n.label.value_or("-"), "*",
			human_si(sum(n.ifaces, &IfaceRate::rx_pps)),
			human_si(sum(n.ifaces, &IfaceRate::tx_pps)),
			human_iec(sum(n.ifaces, &IfaceRate::rx_bps)),
			human_iec(sum(n.ifaces, &IfaceRate::tx_bps)), human_si(n.drops_ps),
			human_si(sum(n.ifaces, &IfaceRate::nsp_tx_pps)),
			human_iec(sum(n.ifaces, &IfaceRate::nsp_tx_bps)), human_si(n.sig_ps),
			human_si(n.sig_ignored_ps)};
		if (wide)
			row.insert(row.end(), {human_si(n.qdisc_drops_ps), human_si(n.total_drops_ps),
					       human_si(n.nsp_drops_ps), p99_text(n.xmit_p99_ns),
					       p99_text(n.cross_p99_ns)});
		t.add_row(std::move(row));
		for (const IfaceRate &i : n.ifaces) {
			std::vector<std::string> irow = {
				"", "", i.name, human_si(i.rx_pps), human_si(i.tx_pps),
				human_iec(i.rx_bps), human_iec(i.tx_bps), human_si(i.drops_ps),
				human_si(i.nsp_tx_pps), human_iec(i.nsp_tx_bps), "", ""};
			if (wide)
				irow.insert(irow.end(), {"", "", human_si(i.nsp_drops_ps), "", ""});
			t.add_row(std::move(irow));
		}
	}
	return t.render("", color);
}

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
	sub_->add_flag("--plain", plain_, "no screen refresh, even on a terminal");
	sub_->add_flag("--wide", wide_,
		       "also drops/s by stage: QDISC_DROPS/S (root qdiscs), DROPS/S (RX+TX_DROP/S "
		       "plus qdisc drops), NSP_DROPS/S (in veth_xmit, part of TX_DROP), and the "
		       "veth latency p99 of the interval, XMIT_P99 and CROSS_P99 ('-' unless the "
		       "module has latency=1)");
	add_json_flag("one JSON document per refresh, one per line (schema nsprobe/1)");
	add_footer("Rates are per second over the last interval, keyed by netns (inum, cookie) and\n"
		     "ifindex: a netns or interface new since the last refresh, or a counter that\n"
		     "went backwards (reset), shows '-' (JSON null) for that interval.\n"
		     "Rows: one '*' row per netns (its interfaces summed, its signals), then its\n"
		     "interfaces (loopback left out),\n"
		     "busiest first. NO_COLOR disables colour. Each sample reads the link stats,\n"
		     "the module's counters and its latency histograms in one window, stamped once.");
}

int WatchCommand::run()
{
	bool tty = ::isatty(STDOUT_FILENO) == 1;
	bool redraw = tty && !plain_ && !json_;
	bool color = !json_ && stdout_color();
	raise_fd_limit();
	DebugfsLocation loc = resolve_debugfs(g_.debugfs);

	// One sample: the netns scan first, then, in one window stamped once
	// (its middle), the link dumps, the module's counters and its latency
	// histograms, so every rate of a frame covers the same interval.
	// Selection and errors as show_model() (commands.h).
	auto take = [&](Sample &out, std::string &note) -> int {
		ProcNetnsDiscovery discovery;
		auto scanned = discovery.scan();
		if (!scanned)
			return fail(scanned.error());
		DebugfsSource src(loc);
		NetlinkLinkSource links;
		double t0 = now_s();
		auto obs = collect_links(std::move(*scanned), links);
		// --wide: each netns's root qdisc drops, in the same window.
		std::map<uint64_t, uint64_t> qdisc_drops;
		if (wide_)
			for (const NetnsObservation &o : obs) {
				if (!o.dump)
					continue;
				auto c = links.drop_counters(o.info);
				if (!c || c->qdisc_error)
					continue;	// unknown: "-"
				uint64_t sum = 0;
				for (const QdiscStats &q : c->qdiscs)
					if (q.parent == 0xFFFFFFFFu)	// TC_H_ROOT
						sum += q.drops;
				qdisc_drops[o.info.id.inum] = sum;
			}
		auto snap = src.read();
		std::optional<Result<std::string>> lat;
		if (snap)
			lat = read_whole_file(src.dir() + "/" + NSP_FILE_LATENCY);
		double t1 = now_s();
		auto model = model_of(obs, links, snap, src.dir(), netns_);
		if (!model)
			return fail(model.error());
		ShowModel &m = *model;
		note = snap ? std::string() : "nsprobe counters unavailable: " + snap.error().message();
		out = sample_of(m, (t0 + t1) / 2);
		out.span = t1 - t0;
		for (NetnsSample &n : out.netns)
			if (auto q = qdisc_drops.find(n.inum); q != qdisc_drops.end())
				n.qdisc_drops = q->second;
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
			nlohmann::json j = {{"schema", kJsonSchema},
					    {"frame", frame},
					    {"interval", cur.t - prev.t},
					    {"sample_span", std::max(prev.span, cur.span)},
					    {"latency", cur.latency_on ? nlohmann::json(*cur.latency_on)
								       : nlohmann::json(nullptr)},
					    {"counters_note", note.empty() ? nlohmann::json(nullptr)
									   : nlohmann::json(note)}};
			nlohmann::json list = nlohmann::json::array();
			for (const NetnsRate &n : rates) {
				nlohmann::json ifs = nlohmann::json::array();
				for (const IfaceRate &i : n.ifaces)
					ifs.push_back({{"ifindex", i.ifindex}, {"name", i.name},
						       {"rx_pps", opt(i.rx_pps)}, {"tx_pps", opt(i.tx_pps)},
						       {"rx_bps", opt(i.rx_bps)}, {"tx_bps", opt(i.tx_bps)},
						       {"drops_ps", opt(i.drops_ps)},
						       {"nsp_tx_pps", opt(i.nsp_tx_pps)},
						       {"nsp_tx_bps", opt(i.nsp_tx_bps)},
						       {"nsp_drops_ps", opt(i.nsp_drops_ps)}});
				list.push_back({{"inum", n.inum},
						{"cookie", n.cookie ? nlohmann::json(*n.cookie)
								    : nlohmann::json(nullptr)},
						{"label", n.label ? nlohmann::json(*n.label) : nlohmann::json(nullptr)}, {"fresh", n.fresh},
						{"pps", opt(n.pps)}, {"bps", opt(n.bps)},
						{"drops_ps", opt(n.drops_ps)}, {"sig_ps", opt(n.sig_ps)},
						{"sig_ignored_ps", opt(n.sig_ignored_ps)},
						{"nsp_drops_ps", opt(n.nsp_drops_ps)},
						{"qdisc_drops_ps", opt(n.qdisc_drops_ps)},
						{"total_drops_ps", opt(n.total_drops_ps)},
						{"xmit_p99_ns", opt(n.xmit_p99_ns)},
						{"cross_p99_ns", opt(n.cross_p99_ns)},
						{"interfaces", ifs}});
			}
			j["netns"] = list;
			emit(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
		} else {
			std::string body = render_watch_text(rates, color, wide_);
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
	return kExitOk;
}

} // namespace nsprobe::cli
