// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/coverage.h"

#include <algorithm>

#include <fmt/format.h>

namespace nsprobe {
namespace {

// Every field coverage may name, in the order it lists them.
const std::vector<std::string> &field_order()
{
	static const std::vector<std::string> order = [] {
		std::vector<std::string> v;
#define NSP_X(key, unit) v.push_back(#key);
		NSP_DEV_COUNTERS(NSP_X)
#undef NSP_X
		v.push_back(kCrossField);
		return v;
	}();
	return order;
}

std::vector<std::string> ordered(const std::vector<std::string> &fields)
{
	std::vector<std::string> out;
	for (const std::string &f : field_order())
		if (std::find(fields.begin(), fields.end(), f) != fields.end())
			out.push_back(f);
	return out;
}

const ProbeRecord *find(const std::vector<ProbeRecord> &probes, std::string_view name)
{
	for (const ProbeRecord &p : probes)
		if (p.name == name)
			return &p;
	return nullptr;
}

// The mode that uses a helper is on: the module says not_needed otherwise.
bool in_use(const ProbeRecord &p)
{
	return p.reason != NSP_PROBE_REASON_NOT_NEEDED;
}

bool in_scope(const std::string &field, CoverageScope scope)
{
	return scope == CoverageScope::all ||
	       (field == kCrossField) == (scope == CoverageScope::latency);
}

std::vector<std::string> scoped(const std::vector<std::string> &fields, CoverageScope scope)
{
	std::vector<std::string> out;
	for (const std::string &f : fields)
		if (in_scope(f, scope))
			out.push_back(f);
	return out;
}

std::string join(const std::vector<std::string> &v)
{
	std::string s;
	for (size_t i = 0; i < v.size(); i++)
		s += (i ? ", " : "") + v[i];
	return s;
}

} // namespace

bool Coverage::unknown(std::string_view field) const
{
	for (const HookGap &g : gaps)
		if (std::find(g.fields.begin(), g.fields.end(), field) != g.fields.end())
			return true;
	return false;
}

std::vector<std::string> Coverage::unknown_fields() const
{
	std::vector<std::string> all;
	for (const HookGap &g : gaps)
		all.insert(all.end(), g.fields.begin(), g.fields.end());
	return ordered(all);
}

Coverage coverage_of(const std::vector<ProbeRecord> &probes)
{
	Coverage c;
	const ProbeRecord *xmit = find(probes, NSP_HOOK_VETH_XMIT);
	// veth_probe=0: nothing counts at veth_xmit, no helper matters.
	if (!xmit || xmit->state == ProbeState::disabled)
		return c;
	// Latency is on when a receive helper is in use (reason other than
	// not_needed), whatever its state.
	bool latency = false;
	for (const char *rx : {NSP_HOOK_RX_BACKLOG, NSP_HOOK_RX_NAPI})
		if (const ProbeRecord *p = find(probes, rx))
			latency |= in_use(*p);

	const std::vector<std::string> drop_reasons = {"drop_peer", "drop_mtu", "drop_ring",
						       "drop_backlog", "drop_other"};
	// Counters-only mode (veth_paths=0 latency=0): veth_xmit is an entry
	// kprobe, which never sees the return value, and no helper runs, so
	// nothing counts drops, their reasons, the paths or requeues. (A module
	// older than the helpers, format 1.0, has no veth_fwd record.)
	const ProbeRecord *fwd = find(probes, NSP_HOOK_VETH_FWD);
	if (xmit->kind == ProbeKind::kprobe && fwd && !in_use(*fwd)) {
		std::vector<std::string> fields = {"drops", "path_backlog", "path_napi", "requeued",
						   "rx_veth"};
		fields.insert(fields.end(), drop_reasons.begin(), drop_reasons.end());
		c.gaps.push_back({xmit->name, xmit->symbol, xmit->state_word, kCountersOnly, 0,
				  ordered(fields)});
	}
	for (const ProbeRecord &p : probes) {
		std::vector<std::string> fields;
		if (p.name == NSP_HOOK_VETH_FWD) {
			// No __dev_forward_skb(): every DROP reads drop_peer, no OK
			// gets a path, the backlog helper never acts, no crossing is
			// recorded.
			fields = drop_reasons;
			fields.insert(fields.end(), {"path_backlog", "path_napi", "rx_veth"});
			if (latency)
				fields.push_back(kCrossField);
		} else if (p.name == NSP_HOOK_VETH_BACKLOG) {
			// Backlog deliveries read path_napi, backlog drops drop_ring.
			fields = {"drop_ring", "drop_backlog", "path_backlog", "path_napi"};
		} else if (p.name == NSP_HOOK_RX_BACKLOG || p.name == NSP_HOOK_RX_NAPI) {
			// The crossings into that receive path are never matched.
			fields = {kCrossField};
		} else {
			continue;
		}
		if (p.state == ProbeState::armed || !in_use(p))
			continue;
		c.gaps.push_back({p.name, p.symbol, p.state_word, p.reason, p.err, ordered(fields)});
	}

	if (xmit->nmissed) {
		HookMiss m{xmit->name, xmit->kind_word, xmit->nmissed, {"tx_packets", "tx_bytes"}};
		// A kretprobe counts the outcome too; a plain kprobe only tx_*.
		if (xmit->kind == ProbeKind::kretprobe) {
			m.fields.insert(m.fields.end(), {"drops", "path_backlog", "path_napi",
							 "requeued", "rx_veth"});
			m.fields.insert(m.fields.end(), drop_reasons.begin(), drop_reasons.end());
		}
		m.fields = ordered(m.fields);
		c.missed.push_back(std::move(m));
	}
	return c;
}

std::vector<std::string> coverage_notes(const Coverage &c, CoverageScope scope)
{
	std::vector<std::string> out;
	for (const HookGap &g : c.gaps) {
		std::vector<std::string> fields = scoped(g.fields, scope);
		if (fields.empty())
			continue;
		if (g.reason == kCountersOnly) {
			out.push_back(fmt::format("counters-only mode (veth_paths=0): {} {} an entry "
						  "kprobe, so {} are not collected{}",
						  g.hook, g.symbol == g.hook ? "is" : "(" + g.symbol + ") is",
						  join(fields),
						  scope == CoverageScope::counters ? ", shown as -" : ""));
			continue;
		}
		std::string why = "state " + g.state;
		if (!g.reason.empty())
			why += ", reason " + g.reason;
		if (g.err)
			why += fmt::format(", err {}", g.err);
		std::string what = scope == CoverageScope::latency
					   ? "crossing latency (cross histograms) unknown"
				   : scope == CoverageScope::all ? join(fields) + " unknown"
								 : join(fields) + " unknown, shown as -";
		out.push_back(fmt::format("{} ({}) is not armed ({}): {}", g.hook, g.symbol, why, what));
	}
	if (scope != CoverageScope::latency)
		for (const HookMiss &m : c.missed)
			out.push_back(fmt::format("{} {} missed {} call{}: tx counts may be low by up "
						  "to {} (in total over all devices)",
						  m.hook, m.kind, m.nmissed, m.nmissed == 1 ? "" : "s",
						  m.nmissed));
	return out;
}

nlohmann::json coverage_json(const Coverage &c, CoverageScope scope)
{
	using nlohmann::json;
	json hooks = json::array();
	for (const HookGap &g : c.gaps) {
		std::vector<std::string> fields = scoped(g.fields, scope);
		if (fields.empty())
			continue;
		hooks.push_back({{"hook", g.hook},
				 {"symbol", g.symbol},
				 {"state", g.state},
				 {"reason", g.reason.empty() ? json(nullptr) : json(g.reason)},
				 {"err", g.err},
				 {"unknown", fields}});
	}
	json missed = json::array();
	if (scope != CoverageScope::latency)
		for (const HookMiss &m : c.missed)
			missed.push_back({{"hook", m.hook},
					  {"kind", m.kind},
					  {"nmissed", m.nmissed},
					  {"may_be_low", m.fields}});
	return {{"unknown", scoped(c.unknown_fields(), scope)},
		{"hooks", std::move(hooks)},
		{"missed", std::move(missed)}};
}

} // namespace nsprobe
