// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/model.h"
#include "libnsprobe/sig_events.h"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <map>

#include <fmt/format.h>

namespace nsprobe {

CountersStatus CountersStatus::from(const Result<Snapshot> &r, std::string where)
{
	CountersStatus s;
	s.where = std::move(where);
	if (r) {
		s.available = true;
		s.format = r->version;
	} else {
		s.reason = std::string(errc_name(r.error().code));
		s.message = r.error().message();
	}
	return s;
}

bool CountersStatus::has_minor(unsigned minor) const
{
	return available && format && format->at_least(NSP_FORMAT_MAJOR, minor);
}

DevCounters DevCounters::from(const DevRecord &r)
{
	DevCounters c;
#define NSP_X(key, unit) c.key = r.key;
	NSP_DEV_COUNTERS(NSP_X)
#undef NSP_X
	c.tx_dropped_base = r.tx_dropped_base;
	return c;
}

const char *peer_status_name(PeerStatus s)
{
	switch (s) {
	case PeerStatus::resolved: return "resolved";
	case PeerStatus::unverified: return "unverified";
	case PeerStatus::ambiguous: return "ambiguous";
	case PeerStatus::not_found: return "not_found";
	}
	return "not_found";
}

std::string signal_name(int signo)
{
	// Real-time signals: glibc reserves the first kernel ones (32, 33), so
	// SIGRTMIN is a runtime value; name them the way kill -l does.
	int rtmin = SIGRTMIN, rtmax = SIGRTMAX;
	if (signo >= rtmin && signo <= rtmax)
		return signo == rtmin ? "SIGRTMIN" : fmt::format("SIGRTMIN+{}", signo - rtmin);
	if (const char *abbrev = ::sigabbrev_np(signo))
		return fmt::format("SIG{}", abbrev);
	return fmt::format("SIG{}", signo);
}

StatusModel build_status(const Result<Snapshot> &snap, std::string where)
{
	StatusModel m;
	m.counters = CountersStatus::from(snap, std::move(where));
	if (snap) {
		m.module_loaded = true;
		m.probes = snap->probes;
		m.stats = snap->stats;
	} else {
		switch (snap.error().code) {
		case Errc::module_not_loaded:
			m.module_loaded = false;
			break;
		case Errc::format_version_mismatch:
		case Errc::malformed:
			m.module_loaded = true;
			break;
		default:
			break;	// cannot tell through debugfs
		}
	}
	return m;
}

SignalsModel build_signals(const Result<Snapshot> &snap, std::string where,
			   const std::vector<NetnsInfo> &netns)
{
	SignalsModel m;
	m.counters = CountersStatus::from(snap, std::move(where));
	if (!snap)
		return m;
	m.oom_counted = m.counters.has_minor(3);
	if (snap->stats) {
		if (m.counters.has_minor(3))
			m.unattributed = snap->stats->sig_unattributed;
		else
			m.unattributed_hook_events = snap->stats->sig_unattributed;
	}
	std::map<uint64_t, const NetnsInfo *> by_inum;
	for (const NetnsInfo &n : netns)
		by_inum[n.id.inum] = &n;
	std::map<std::pair<uint64_t, uint64_t>, SignalNetnsView> views;
	for (const SigRecord &r : snap->signals) {
		SignalNetnsView &v = views[{r.inum, r.cookie}];
		v.inum = r.inum;
		v.cookie = r.cookie;
		SignalRow row;
		row.signo = r.signo;
		row.name = signal_name(r.signo);
#define NSP_X(key, unit) row.key = r.key;
		NSP_SIG_COUNTERS(NSP_X)
#undef NSP_X
		row.init_protected = r.ignored_init > 0;
		const std::pair<const char *, uint64_t> reasons[] = {
			{"exiting", r.ignored_exiting}, {"sig_ign", r.ignored_sig_ign},
			{"default", r.ignored_default}, {"init", r.ignored_init},
			{"other", r.ignored_other}};
		for (const auto &[reason, count] : reasons)
			if (count)
				row.explanations.push_back(explain_ignored(
					r.signo, reason, count, r.inum,
					std::string_view(reason) == "init" ? "PID 1" : "processes", "-"));
		v.signals.push_back(std::move(row));
	}
	for (auto &[key, v] : views) {
		auto it = by_inum.find(v.inum);
		if (it != by_inum.end()) {
			v.names = it->second->names;
			v.pids = it->second->pids;
			v.init = it->second->init;
			v.container = it->second->container;
		} else {
			v.anonymous = true;
		}
		std::sort(v.signals.begin(), v.signals.end(),
			  [](const SignalRow &a, const SignalRow &b) { return a.signo < b.signo; });
		m.netns.push_back(std::move(v));
	}
	return m;
}

std::optional<uint64_t> drops_before_driver(const InterfaceView &iv)
{
	if (!iv.nsprobe || !iv.nsprobe->tx_dropped_base)
		return std::nullopt;
	uint64_t k = iv.link.stats.tx_dropped, base = *iv.nsprobe->tx_dropped_base;
	uint64_t since = k > base ? k - base : 0;	// what the kernel dropped meanwhile
	uint64_t n = iv.nsprobe->drops;
	return since > n ? since - n : 0;
}

} // namespace nsprobe
