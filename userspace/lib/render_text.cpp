// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include <fmt/format.h>

#include "libnsprobe/latency.h"
#include "libnsprobe/render.h"
#include "libnsprobe/table.h"
#include "libnsprobe/units.h"

namespace nsprobe {
namespace {

using Col = Table::Column;
constexpr auto R = Table::Align::right;
constexpr size_t kMaxPids = 6;	// text shows at most this many processes

std::string upper(std::string s)
{
	std::transform(s.begin(), s.end(), s.begin(),
		       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
	return s;
}

std::string counters_line(const CountersStatus &c)
{
	if (c.available)
		return fmt::format("counters: nsprobe format {} at {}\n",
				   c.format ? c.format->str() : "?", c.where);
	return fmt::format("counters: unavailable ({}): {}\n", c.reason, printable(c.message));
}

// Joins strings from outside (names, paths), each made printable().
std::string join(const std::vector<std::string> &v, const char *sep)
{
	std::string s;
	for (size_t i = 0; i < v.size(); i++)
		s += (i ? sep : "") + printable(v[i]);
	return s;
}

std::string pids_text(const std::vector<ProcRef> &pids)
{
	std::vector<std::string> parts;
	for (size_t i = 0; i < pids.size() && i < kMaxPids; i++)
		parts.push_back(fmt::format("{}({})", pids[i].pid, printable(pids[i].comm)));
	if (pids.size() > kMaxPids)
		parts.push_back(fmt::format("+{} more", pids.size() - kMaxPids));
	return join(parts, " ");
}

std::string netns_header(uint64_t inum, std::optional<uint64_t> cookie, bool current,
			 bool anonymous, const std::vector<std::string> &names,
			 const std::vector<std::string> &bind_paths, const std::vector<ProcRef> &pids,
			 const std::optional<ProcRef> &init, const std::optional<ContainerId> &container)
{
	std::string s = fmt::format("netns {}", inum);
	s += cookie ? fmt::format(" cookie {}", *cookie) : " cookie ?";
	if (is_host_netns(inum, cookie))
		s += " (host)";
	if (current)
		s += " (current)";
	if (anonymous)
		s += " (anonymous: known to the module only)";
	s += "\n";
	if (!names.empty())
		s += "  names: " + join(names, " ") + "\n";
	if (!bind_paths.empty())
		s += "  bind paths: " + join(bind_paths, " ") + "\n";
	if (container)
		s += fmt::format("  container: {} {}\n", printable(container->runtime),
				 printable(container->id.size() == 64 ? container->id.substr(0, 12)
								      : container->id));
	if (init)
		s += fmt::format("  init: {}({})\n", init->pid, printable(init->comm));
	if (!pids.empty())
		s += "  pids: " + pids_text(pids) + "\n";
	return s;
}

std::string peer_text(const InterfaceView &iv)
{
	if (!iv.peer)
		return "-";
	const PeerView &p = *iv.peer;
	switch (p.status) {
	case PeerStatus::resolved:
	case PeerStatus::unverified: {
		// Its netns by name, or "host" for the initial one, then its inum.
		bool named = p.netns && (!p.netns->names.empty() ||
					 is_host_netns(p.netns->inum, p.netns->cookie));
		std::string where = !named ? fmt::format("{}", p.netns ? p.netns->inum : 0)
				    : p.netns->names.empty() ? std::string("host")
							      : p.netns->names.front();
		std::string s = fmt::format("{}@{}", p.name, where);
		if (named)
			s += fmt::format(" ({})", p.netns->inum);
		if (p.status == PeerStatus::unverified)
			s += " (unverified)";
		return s;
	}
	case PeerStatus::ambiguous:
		return fmt::format("ifindex {} (ambiguous)", p.ifindex);
	case PeerStatus::not_found:
		return fmt::format("ifindex {} (not found)", p.ifindex);
	}
	return "-";
}

std::string num(uint64_t v)
{
	return fmt::format("{}", v);
}

// A count the module may not have given (a key added by a later format).
std::string num_or_unknown(const std::optional<uint64_t> &v)
{
	return v ? num(*v) : "unknown";
}

// "1 OOM kill", "2 OOM kills"; unknown from a module older than format 1.3.
std::string oom_kills_text(const std::optional<uint64_t> &v, const CountersStatus &c)
{
	if (!v)
		return fmt::format("OOM kills unknown (module format {}, counted since 1.3)",
				   c.format ? c.format->str() : "?");
	return fmt::format("{} OOM kill{}", human_count(*v), *v == 1 ? "" : "s");
}

} // namespace

std::string container_words(const ContainerId &c)
{
	return fmt::format("{} container {}", printable(c.runtime),
			   printable(c.id.size() == 64 ? c.id.substr(0, 12) : c.id));
}

std::string gone_when(const GoneView &g)
{
	std::time_t t = static_cast<std::time_t>(g.gone_ns / 1000000000);
	std::tm tm {};
	char when[32] = "";
	if (!::gmtime_r(&t, &tm) || !std::strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		return gone_ago(g.age_ns);
	return fmt::format("{}, at {}", gone_ago(g.age_ns), when);
}

std::string gone_from(const GoneView &g)
{
	if (!g.cgroup)
		return g.cgroup_id ? fmt::format("cgroup unknown (id {}), container unknown", *g.cgroup_id)
				   : "cgroup unknown, container unknown";
	std::string cg = "cgroup " + printable(*g.cgroup);
	if (g.container)
		return container_words(*g.container) + ", " + cg;
	return cg + ", container unknown";
}

std::string render_text(const StatusModel &m, const TextOptions &o)
{
	std::string out;
	std::string loaded = !m.module_loaded ? "unknown" : *m.module_loaded ? "loaded" : "not loaded";
	out += fmt::format("module: {}\n", loaded);
	out += counters_line(m.counters);
	out += fmt::format("tool format: {}\n", tool_format_version().str());
	if (!m.counters.available)
		return out;
	Table t({{"PROBE"}, {"SYMBOL"}, {"KIND"}, {"STATE"}, {"HITS", R}, {"NMISSED", R}, {"ERR", R},
		 {"REASON"}});
	for (const ProbeRecord &p : m.probes)
		t.add_row({p.name, p.symbol, p.kind_word, p.state_word, num(p.hits), num(p.nmissed),
			   fmt::format("{}", p.err), p.reason.empty() ? "-" : p.reason});
	out += '\n'; // not "\n" + ...: GCC bug 105329, see render_text(ShowModel)
	out += t.render("", o.color);
	// What the probes' states mean for the counters (coverage.h).
	for (const std::string &n : coverage_notes(coverage_of(m.probes), CoverageScope::all))
		out += "note: " + printable(n) + "\n";
	if (m.stats)
		out += fmt::format("\nstats: netns={} devices={} veth_untracked={} sig_unattributed={} "
				   "alloc_failed={} sig_deferred={} oom_unattributed={} "
				   "postmortem={} postmortem_lost={}\n",
				   m.stats->netns, m.stats->devices, m.stats->veth_untracked,
				   m.stats->sig_unattributed, m.stats->alloc_failed,
				   num_or_unknown(m.stats->sig_deferred),
				   num_or_unknown(m.stats->oom_unattributed),
				   num_or_unknown(m.stats->postmortem),
				   num_or_unknown(m.stats->postmortem_lost));
	return out;
}

namespace {

// A counter a helper that is not armed makes unknown (coverage.h).
bool unknown(const std::optional<Coverage> &cov, std::string_view field)
{
	return cov && cov->unknown(field);
}

// "backlog/napi" in human counts, "-" if the paths are unknown.
std::string paths_text(const std::optional<Coverage> &cov, uint64_t backlog, uint64_t napi)
{
	if (unknown(cov, "path_backlog") || unknown(cov, "path_napi"))
		return "-";
	return human_count(backlog) + "/" + human_count(napi);
}

// The default interface table: what an on-call engineer reads first, in
// human units. The kernel's link stats, then what nsprobe saw at veth_xmit()
// (those columns only when module counters are available; "-" for a
// counter coverage says is unknown). Column words are those of --wide and
// watch for the same quantity: the kernel's RX_/TX_ link stats, NSP_ plus
// the format.h key for nsprobe's, PRE_DRIVER; two quantities in one cell
// are joined by "/".
Table interface_table(const NetnsView &v, bool counters, const std::optional<Coverage> &cov)
{
	std::vector<Col> cols = {{"IFACE"},	     {"IDX", R},	  {"KIND"},
				 {"STATE"},	     {"MTU", R},	  {"PEER"},
				 {"RX_PACKETS", R},  {"RX_BYTES", R},	  {"TX_PACKETS", R},
				 {"TX_BYTES", R},    {"RX_DROP/TX_DROP", R}};
	if (counters)
		for (const char *h : {"NSP_TX_PACKETS", "NSP_TX_BYTES", "NSP_PATH_BACKLOG/NAPI",
				      "NSP_DROPS", "PRE_DRIVER"})
			cols.push_back({h, R});
	Table t(cols);
	for (const InterfaceView &iv : v.interfaces) {
		const LinkInfo &l = iv.link;
		const std::optional<DevCounters> &n = iv.nsprobe;
		std::optional<uint64_t> pre = drops_before_driver(iv, cov);
		t.add_row({l.name, num(static_cast<uint64_t>(l.ifindex)), l.kind.empty() ? "-" : l.kind,
			   (l.admin_up ? "up/" : "down/") + l.oper_state, num(l.mtu), peer_text(iv),
			   human_count(l.stats.rx_packets), human_bytes(l.stats.rx_bytes),
			   human_count(l.stats.tx_packets), human_bytes(l.stats.tx_bytes),
			   human_count(l.stats.rx_dropped) + "/" + human_count(l.stats.tx_dropped),
			   n ? human_count(n->tx_packets) : "-", n ? human_bytes(n->tx_bytes) : "-",
			   n ? paths_text(cov, n->path_backlog, n->path_napi) : "-",
			   n && !unknown(cov, "drops") ? human_count(n->drops) : "-",
			   pre ? human_count(*pre) : "-"});
	}	// without counters, the nsprobe cells are beyond the columns: not printed
	return t;
}

// --wide: every link stat and every NSP_DEV_COUNTERS key, exact, then the
// root qdiscs' drops (QDISC_DROP) and PRE_DRIVER.
Table interface_table_wide(const NetnsView &v, const std::optional<Coverage> &cov)
{
	std::vector<Col> cols = {{"IFACE"}, {"IDX", R}, {"KIND"}, {"STATE"}, {"MTU", R}, {"PEER"}};
	for (const char *h : {"RX_PACKETS", "RX_BYTES", "RX_DROP", "TX_PACKETS", "TX_BYTES",
			      "TX_DROP"})
		cols.push_back({h, R});
#define NSP_X(key, unit) cols.push_back({"NSP_" + upper(#key), R});
	NSP_DEV_COUNTERS(NSP_X)
#undef NSP_X
	cols.push_back({"QDISC_DROP", R});
	cols.push_back({"PRE_DRIVER", R});
	Table t(cols);
	for (const InterfaceView &iv : v.interfaces) {
		const LinkInfo &l = iv.link;
		std::vector<std::string> row = {l.name,
						num(static_cast<uint64_t>(l.ifindex)),
						l.kind.empty() ? "-" : l.kind,
						(l.admin_up ? "up/" : "down/") + l.oper_state,
						num(l.mtu),
						peer_text(iv)};
		for (uint64_t s : {l.stats.rx_packets, l.stats.rx_bytes, l.stats.rx_dropped,
				   l.stats.tx_packets, l.stats.tx_bytes, l.stats.tx_dropped})
			row.push_back(num(s));
#define NSP_X(key, unit) \
	row.push_back(iv.nsprobe && !unknown(cov, #key) ? num(iv.nsprobe->key) : "-");
		NSP_DEV_COUNTERS(NSP_X)
#undef NSP_X
		if (iv.nsprobe && !iv.nsprobe->rx_packets_base)
			row.back() = "-";	// NSP_RX_VETH: format < 1.7 has none
		row.push_back(iv.qdisc_drops ? num(*iv.qdisc_drops) : "-");
		std::optional<uint64_t> pre = drops_before_driver(iv, cov);
		row.push_back(pre ? num(*pre) : "-");
		t.add_row(std::move(row));
	}
	return t;
}

// Devices the module tracks that the link dump did not show (a netns we
// could not enter, or one known to the module only): nsprobe's counters.
Table module_devices_table(const NetnsView &v, bool wide, const std::optional<Coverage> &cov)
{
	std::vector<Col> cols = {{"IFACE"}, {"IDX", R}};
	if (wide) {
#define NSP_X(key, unit) cols.push_back({"NSP_" + upper(#key), R});
		NSP_DEV_COUNTERS(NSP_X)
#undef NSP_X
	} else {
		for (const char *h : {"NSP_TX_PACKETS", "NSP_TX_BYTES", "NSP_PATH_BACKLOG/NAPI",
				      "NSP_DROPS"})
			cols.push_back({h, R});
	}
	Table t(cols);
	for (const DevRecord &d : v.module_devices) {
		std::vector<std::string> row = {d.name, num(static_cast<uint64_t>(d.ifindex))};
		if (wide) {
#define NSP_X(key, unit) row.push_back(unknown(cov, #key) ? "-" : num(d.key));
			NSP_DEV_COUNTERS(NSP_X)
#undef NSP_X
			if (!d.rx_packets_base)
				row.back() = "-";	// NSP_RX_VETH: format < 1.7
		} else {
			row.insert(row.end(), {human_count(d.tx_packets), human_bytes(d.tx_bytes),
					       paths_text(cov, d.path_backlog, d.path_napi),
					       unknown(cov, "drops") ? "-" : human_count(d.drops)});
		}
		t.add_row(std::move(row));
	}
	return t;
}

// "  drops at veth_xmit: h1 7 (mtu 7)", for each device that dropped; a
// reason coverage says is unknown reads "ring -".
std::string drop_reasons(const NetnsView &v, const std::optional<Coverage> &cov)
{
	std::string out;
	for (const InterfaceView &iv : v.interfaces) {
		if (!iv.nsprobe || !iv.nsprobe->drops)
			continue;
		const DevCounters &n = *iv.nsprobe;
		std::vector<std::string> why;
		for (auto [name, count] : {std::pair{"peer", n.drop_peer}, {"mtu", n.drop_mtu},
					   {"ring", n.drop_ring}, {"backlog", n.drop_backlog},
					   {"other", n.drop_other}})
			if (unknown(cov, fmt::format("drop_{}", name)))
				why.push_back(fmt::format("{} -", name));
			else if (count)
				why.push_back(fmt::format("{} {}", name, count));
		out += fmt::format("  drops at veth_xmit: {} {} ({})\n", printable(iv.link.name), n.drops,
				   join(why, ", "));
	}
	return out;
}

// "  12 packets reached vc without veth_xmit (...)", for each device
// where some did (rx_without_veth_xmit()).
std::string blind_lines(const NetnsView &v, const std::optional<Coverage> &cov)
{
	std::string out;
	for (const InterfaceView &iv : v.interfaces)
		if (std::optional<uint64_t> n = rx_without_veth_xmit(iv, cov); n && *n)
			out += fmt::format("  {} packets reached {} without veth_xmit "
					   "(bpf_redirect_peer, XDP redirect or XDP_TX)\n",
					   *n, printable(iv.link.name));
	return out;
}

} // namespace

namespace {

// The "nsprobe:" lines of a netns record: its totals, and what it lost.
std::string nsprobe_lines(const NetnsRecord &n, const std::optional<uint64_t> &oom_kills,
			  const CountersStatus &c, bool wide)
{
	std::string out =
		wide ? fmt::format("  nsprobe: devices={} tx_packets={} tx_bytes={} "
				   "sig_generated={} sig_ignored={} oom_kills={} "
				   "sig_rows={} ev_chunks={} alloc_failed={}\n",
				   n.devices, n.tx_packets, n.tx_bytes, n.sig_generated,
				   n.sig_ignored, num_or_unknown(oom_kills), n.sig_rows,
				   n.ev_chunks, n.alloc_failed)
		     : fmt::format("  nsprobe: {} veth, {} packets ({}) at veth_xmit; "
				   "signals: {} generated, {} ignored, {}\n",
				   n.devices, human_count(n.tx_packets), human_bytes(n.tx_bytes),
				   human_count(n.sig_generated), human_count(n.sig_ignored),
				   oom_kills_text(oom_kills, c));
	if (n.alloc_failed)
		out += fmt::format("  nsprobe: INCOMPLETE: {} counts lost for want of kernel "
				   "memory (signal counters, events or veth tracking of this "
				   "netns)\n",
				   n.alloc_failed);
	return out;
}

} // namespace

std::string render_text(const ShowModel &m, const TextOptions &o)
{
	std::string out = counters_line(m.counters);
	// nsprobe's counters restart at a reset, the kernel's never: say which
	// is which, once (JSON "since").
	if (m.counters.available)
		out += "since: NSP_ columns and nsprobe lines count since the module's load or "
		       "last reset (nsprobe reset); RX_/TX_ columns are the kernel's, since each "
		       "device was created\n";
	for (const NetnsView &v : m.netns) {
		// Append in two steps: "\n" + std::string&& inlines string::insert(0, ...),
		// on which GCC 12 -O2 warns -Wrestrict wrongly (GCC bug 105329).
		out += '\n';
		out += netns_header(v.inum, v.cookie, v.current, v.anonymous, v.names, v.bind_paths,
				    v.pids, v.init, v.container);
		if (v.nsprobe)
			out += nsprobe_lines(*v.nsprobe, v.oom_kills, m.counters, o.wide);
		if (v.links_error)
			out += fmt::format("  links unavailable: {}\n", printable(*v.links_error));
		if (v.qdisc_error)
			out += fmt::format("  qdiscs unavailable: {}\n", printable(*v.qdisc_error));
		if (!v.interfaces.empty()) {
			Table t = o.wide ? interface_table_wide(v, m.coverage)
					 : interface_table(v, m.counters.available, m.coverage);
			out += t.render("  ", o.color);
			if (!o.wide)
				out += drop_reasons(v, m.coverage);
			out += blind_lines(v, m.coverage);
		}
		if (!v.module_devices.empty()) {
			out += "  module-only devices (not in the link dump):\n";
			out += module_devices_table(v, o.wide, m.coverage).render("  ", o.color);
		}
	}
	for (const GoneNetnsView &g : m.gone) {
		// A dead netns (1.4): no names, tasks or links; where it came from.
		out += '\n';
		out += fmt::format("netns {} cookie {} ({})\n", g.inum, g.cookie, gone_when(g.gone));
		out += "  from: " + gone_from(g.gone) + "\n";
		if (g.nsprobe)
			out += nsprobe_lines(*g.nsprobe, g.oom_kills, m.counters, o.wide);
	}
	for (const SkippedNetns &s : m.skipped)
		out += fmt::format("\nskipped netns {}: {}\n", s.inum, printable(s.reason));
	bool blind_known = false;
	for (const NetnsView &v : m.netns)
		for (const InterfaceView &iv : v.interfaces)
			blind_known |= rx_without_veth_xmit(iv, m.coverage).has_value();
	if (o.wide && blind_known && m.redirect_peer_asked &&
	    m.rx_counts_redirect_peer != true)
		out += "\nnote: before Linux 6.7 a veth's RX counts bpf_redirect_peer traffic only "
		       "with a stable backport (Debian's 6.1.170 has it) that nsprobe cannot "
		       "detect: without it, that traffic is in no counter and not in \"without "
		       "veth_xmit\"\n";
	if (m.coverage) {
		// Said once, under every table it concerns.
		std::vector<std::string> notes = coverage_notes(*m.coverage, CoverageScope::counters);
		if (!notes.empty())
			out += '\n';
		for (const std::string &n : notes)
			out += "note: " + printable(n) + "\n";
	}
	// RX_DROP/TX_DROP hold neither a qdisc's drops nor a failed
	// neighbour's: say once where they are.
	bool links = false;
	for (const NetnsView &v : m.netns)
		links |= !v.interfaces.empty();
	if (links && !o.wide)
		out += "\nqdisc drops: show --wide (QDISC_DROP); every stage of the drop path: "
		       "nsprobe drops\n";
	return out;
}

namespace {

// A compact view of signal rows; --json has every counter of NSP_SIG_COUNTERS.
Table signal_table(const std::vector<SignalRow> &rows)
{
	Table t({{"SIGNAL"}, {"NO", R}, {"GENERATED", R}, {"FORCED", R}, {"BY_KERNEL", R},
		 {"IGNORED", R}, {"COALESCED", R}, {"QUEUED", R}, {"BLOCKED", R},
		 {"TO_HANDLER", R}, {"TO_DEFAULT", R}, {"NOTE"}});
	for (const SignalRow &r : rows)
		t.add_row({r.name, num(static_cast<uint64_t>(r.signo)), num(r.generated),
			   num(r.forced), num(r.origin_kernel), num(r.ignored), num(r.coalesced),
			   num(r.queued), num(r.queued_blocked), num(r.delivered_handler),
			   num(r.delivered_term + r.delivered_core + r.delivered_stop),
			   r.init_protected ? "init-protected" : ""});
	return t;
}

} // namespace

std::string render_text(const SignalsModel &m, const TextOptions &o)
{
	std::string out = counters_line(m.counters);
	for (const SignalNetnsView &v : m.netns) {
		out += '\n'; // not "\n" + ...: GCC bug 105329, see render_text(ShowModel)
		if (v.gone) {
			// A dead netns: no names or tasks, where it came from instead.
			out += fmt::format("netns {} cookie {} ({})\n", v.inum, v.cookie,
					   gone_when(*v.gone));
			out += "  from: " + gone_from(*v.gone) + "\n";
			if (v.signals.empty()) {
				out += "  no signal counted\n";
				continue;
			}
		} else {
			out += netns_header(v.inum, v.cookie, false, v.anonymous, v.names, {}, v.pids,
					    v.init, v.container);
		}
		std::vector<std::string> why;
		for (const SignalRow &r : v.signals)
			why.insert(why.end(), r.explanations.begin(), r.explanations.end());
		out += signal_table(v.signals).render("  ", o.color);
		if (m.oom_counted)
			for (const SignalRow &r : v.signals)
				if (r.oom_kill)
					out += fmt::format("  {}: {} of {} by the OOM killer\n", r.name,
							   r.oom_kill, r.generated);
		for (const std::string &w : why)
			out += "  why: " + printable(w) + "\n";
	}
	if (m.node && !m.node->empty()) {
		// (1.5) What stays when a container's netns dies.
		out += "\nthe whole node: every netns, those dead since included, since the module's "
		       "load or last reset\n";
		out += signal_table(*m.node).render("  ", o.color);
	}
	if (m.counters.available) {
		std::string tail;
		if (m.unattributed && *m.unattributed)
			tail += fmt::format("{} signal{} could not be attributed to a netns "
					    "(stats sig_unattributed)\n",
					    *m.unattributed, *m.unattributed == 1 ? "" : "s");
		if (m.unattributed_hook_events && *m.unattributed_hook_events)
			tail += fmt::format("{} signal hook event{} could not be attributed to a netns "
					    "(stats sig_unattributed; module format {} counts hook "
					    "events, up to four per signal, not signals)\n",
					    *m.unattributed_hook_events,
					    *m.unattributed_hook_events == 1 ? "" : "s",
					    m.counters.format ? m.counters.format->str() : "?");
		if (!m.oom_counted)
			tail += fmt::format("OOM kills: unknown (module format {}, counted since 1.3)\n",
					    m.counters.format ? m.counters.format->str() : "?");
		if (m.postmortem_lost && *m.postmortem_lost)
			tail += fmt::format("{} dead netns left no record (stats postmortem_lost: no "
					    "memory for it)\n", *m.postmortem_lost);
		if (!tail.empty())
			out += "\n" + tail;
	}
	return out;
}

std::string netns_label_text(const NetnsLabel *l, bool host)
{
	std::vector<std::string> parts;
	if (host || (l && l->host))
		parts.push_back("host");
	if (l) {
		for (const std::string &n : l->names)
			parts.push_back(printable(n));
		if (l->container)
			parts.push_back(container_words(*l->container));
		if (l->current)
			parts.push_back("current netns");
	}
	return parts.empty() ? "unnamed" : join(parts, ", ");
}

namespace {

std::string events_count(uint64_t shown, uint64_t kept, bool filtered)
{
	if (filtered && shown != kept)
		return fmt::format("{} of {} event{} match{} the filters", shown, kept,
				   kept == 1 ? "" : "s", kept == 1 ? "es" : "");
	return fmt::format("{} event{}", shown, shown == 1 ? "" : "s");
}

} // namespace

std::string sig_events_header(const SigEventsModel &m, uint64_t inum, uint64_t cookie)
{
	if (auto g = m.gone_of(inum, cookie))
		return fmt::format("netns {}:{} ({}): {}", inum, cookie, gone_from(*g), gone_when(*g));
	auto it = m.labels.find(inum);
	return fmt::format("netns {}:{} ({}): live", inum, cookie,
			   netns_label_text(it == m.labels.end() ? nullptr : &it->second,
					    is_host_netns(inum, cookie)));
}

std::string render_text(const SigEventsModel &m, const TextOptions &o)
{
	(void)o;
	using Key = std::pair<uint64_t, uint64_t>;
	struct Block {
		Key key;
		const SigRing *ring = nullptr;
		std::vector<const SigEvent *> events;
	};
	std::vector<Block> blocks;
	std::map<Key, size_t> index;
	auto block_of = [&](Key k) -> Block & {
		auto [it, fresh] = index.emplace(k, blocks.size());
		if (fresh)
			blocks.push_back(Block{k, nullptr, {}});
		return blocks[it->second];
	};
	for (const SigRing &r : m.rings)
		block_of({r.inum, r.cookie}).ring = &r;
	for (const GoneRecord &g : m.gone_order)
		block_of({g.inum, g.cookie});
	for (const SigEvent &e : m.events)
		block_of({e.inum, e.cookie}).events.push_back(&e);
	for (Block &b : blocks)
		std::stable_sort(b.events.begin(), b.events.end(), [](const SigEvent *a, const SigEvent *c) {
			return a->ts_ns != c->ts_ns ? a->ts_ns < c->ts_ns : a->seq < c->seq;
		});
	// The most recently active netns last; those without events first.
	std::stable_sort(blocks.begin(), blocks.end(), [](const Block &a, const Block &b) {
		if (a.events.empty() || b.events.empty())
			return a.events.empty() && !b.events.empty();
		return a.events.back()->ts_ns < b.events.back()->ts_ns;
	});

	std::string out;
	uint64_t kept_all = 0;
	for (const Block &b : blocks) {
		auto k = m.kept.find(b.key);
		uint64_t kept = k == m.kept.end() ? 0 : k->second;
		kept_all += kept;
		if (m.filter.active() && b.events.empty())
			continue;
		if (!out.empty())
			out += "\n";
		out += sig_events_header(m, b.key.first, b.key.second);
		if (!b.ring)
			out += ", no event ring\n";
		else if (b.ring->size == 0)
			out += ", no events kept (ring of 0)\n";
		else
			out += ", " + events_count(b.events.size(), kept, m.filter.active()) + "\n";
		const SigRing *r = b.ring;
		if (r && r->overflow) {
			if (r->notable_size)	// 1.4: two rings
				out += fmt::format("  {} older routine events overwritten (ring of {}), {} "
						   "notable (ring of {})\n",
						   r->routine_overflow(), r->size - *r->notable_size,
						   r->story_overflow(), *r->notable_size);
			else
				out += fmt::format("  {} older events overwritten (ring of {})\n",
						   r->overflow, r->size);
		}
		for (const SigEvent *e : b.events)
			out += "  " + event_text(*e) + "\n";
	}
	if (out.empty() && m.filter.active())
		out = fmt::format("no event matches the filters ({} event{} kept)\n", kept_all,
				  kept_all == 1 ? "" : "s");
	return out;
}

namespace {

// "-" for an unknown latency, never 0.
std::string p99_text(std::optional<double> ns)
{
	return ns ? format_ns(*ns) : "-";
}

} // namespace

std::string render_watch_text(const std::vector<NetnsRate> &rates, const TextOptions &o)
{
	const bool wide = o.wide;
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
		for (const char *h : {"QDISC_DROPS/S", "DROPS/S", "NSP_DROPS/S", "BACKLOG_DROPS/S",
				      "STACK_DROPS/S", "XMIT_P99", "CROSS_P99"})
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
					       human_si(n.nsp_drops_ps), human_si(n.backlog_drops_ps),
					       human_si(n.stack_drops_ps), p99_text(n.xmit_p99_ns),
					       p99_text(n.cross_p99_ns)});
		t.add_row(std::move(row));
		for (const IfaceRate &i : n.ifaces) {
			std::vector<std::string> irow = {
				"", "", i.name, human_si(i.rx_pps), human_si(i.tx_pps),
				human_iec(i.rx_bps), human_iec(i.tx_bps), human_si(i.drops_ps),
				human_si(i.nsp_tx_pps), human_iec(i.nsp_tx_bps), "", ""};
			if (wide)
				irow.insert(irow.end(),
					    {"", "", human_si(i.nsp_drops_ps), "", "", "", ""});
			t.add_row(std::move(irow));
		}
	}
	return t.render("", o.color);
}


} // namespace nsprobe
