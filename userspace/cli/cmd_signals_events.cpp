// SPDX-License-Identifier: GPL-2.0 OR MIT
// nsprobe signals --events [--follow] [--json] [--netns X]: the signal
// event ring of each netns (format.h NSP_FILE_EVENTS), like killsnoop but
// with what became of each signal and why.
//
// --follow polls the file every 0.2 s and prints events whose seq is above
// the last one seen in that netns (by inum + cookie); events overwritten
// between two polls are reported as a count. JSON: one document without
// --follow ({"schema", "rings", "events"}); with --follow one event object
// per line (JSON lines).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "commands.h"
#include "exit_codes.h"
#include "libnsprobe/debugfs_source.h"
#include "libnsprobe/render.h"
#include "libnsprobe/sig_events.h"

namespace nsprobe::cli {

Result<SigEvents> read_sig_events(const std::string &dir)
{
	std::string path = dir + "/" NSP_FILE_EVENTS;
	std::ifstream f(path);
	if (!f)
		return Error{Errc::module_not_loaded, path, "cannot be read",
			     "the loaded nsprobe.ko is older than format 1.1 (no event ring), "
			     "or it was unloaded", 0};
	std::stringstream ss;
	ss << f.rdbuf();
	return parse_sig_events(ss.str(), path);
}

Error no_event_ring(const std::string &selector, uint64_t inum)
{
	return Error{Errc::netns_not_found, fmt::format("netns {} ({})", selector, inum),
		     "no event ring for it",
		     "the module keeps a ring per netns it has seen a signal for", 0};
}

int SignalsCommand::run_events()
{
	DebugfsSource src(resolve_debugfs(g_.debugfs));
	// read() checks the format version and turns lockdown, permissions and
	// a missing module into their exit codes.
	if (auto snap = src.read(); !snap)
		return fail(snap.error());
	std::optional<uint32_t> only;
	if (netns_) {
		auto inum = resolve_netns_inum(*netns_);
		if (!inum)
			return fail(inum.error());
		only = *inum;
	}
	auto want = [&](uint64_t inum) { return !only || inum == *only; };

	auto evs = read_sig_events(src.dir());
	if (!evs)
		return fail(evs.error());
	if (netns_) {
		bool known = false;
		for (const SigRing &r : evs->rings)
			known |= want(r.inum);
		if (!known)
			return fail(no_event_ring(*netns_, *only));
	}

	if (!follow_) {
		if (json_) {
			nlohmann::json j = {{"schema", kJsonSchema}};
			nlohmann::json rings = nlohmann::json::array(), list = nlohmann::json::array();
			for (const SigRing &r : evs->rings)
				if (want(r.inum))
					rings.push_back(ring_json(r));
			for (const SigEvent &e : evs->events)
				if (want(e.inum))
					list.push_back(event_json(e));
			j["rings"] = rings;
			j["events"] = list;
			emit(json_text(j));
			return kExitOk;
		}
		for (const SigRing &r : evs->rings)
			if (want(r.inum) && r.overflow)
				std::printf("netns %llu: %llu older events overwritten (ring of %llu)\n",
					    static_cast<unsigned long long>(r.inum),
					    static_cast<unsigned long long>(r.overflow),
					    static_cast<unsigned long long>(r.size));
		for (const SigEvent &e : evs->events)
			if (want(e.inum))
				emit(event_text(e) + "\n");
		return kExitOk;
	}

	// Follow: what the ring holds now, then each new event once. The last
	// seq printed is kept per (inum, cookie), so a new netns with a reused
	// inum starts from its own first event.
	std::map<std::pair<uint64_t, uint64_t>, uint64_t> last;
	for (;;) {
		for (const SigRing &r : evs->rings) {
			auto key = std::make_pair(r.inum, r.cookie);
			auto it = last.find(key);
			if (it == last.end()) {
				last[key] = 0;
				continue;
			}
			uint64_t oldest = r.overflow + 1;
			if (want(r.inum) && it->second + 1 < oldest && !json_)
				std::printf("netns %llu: %llu events overwritten before they were read\n",
					    static_cast<unsigned long long>(r.inum),
					    static_cast<unsigned long long>(oldest - it->second - 1));
		}
		for (const SigEvent &e : evs->events) {
			uint64_t &seen = last[{e.inum, e.cookie}];
			if (e.seq <= seen)
				continue;
			seen = e.seq;
			if (!want(e.inum))
				continue;
			if (json_)
				std::printf("%s\n", event_json(e).dump(-1, ' ', false,
						nlohmann::json::error_handler_t::replace).c_str());
			else
				emit(event_text(e) + "\n");
		}
		if (std::fflush(stdout) != 0 || std::ferror(stdout))
			return kExitOk;	// main()'s finish_stdout() reports it
		std::this_thread::sleep_for(std::chrono::milliseconds(200));
		evs = read_sig_events(src.dir());
		if (!evs)
			return fail(evs.error());
	}
}

} // namespace nsprobe::cli
