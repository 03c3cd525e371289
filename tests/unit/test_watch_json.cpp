// watch_frame_json() writes, byte for byte, what to_json(WatchFrame).dump()
// wrote before it (issue 10 item 2: the same output, without the document).
#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "libnsprobe/render.h"

using namespace nsprobe;

namespace {

std::string reference(const WatchFrame &f)
{
	return to_json(f).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

TEST(WatchFrameJson, EmptyFrames)
{
	WatchFrame f;
	EXPECT_EQ(watch_frame_json(f), reference(f));
	f.counters_note = "nsprobe counters unavailable: x";
	f.latency_on = false;
	f.netns.push_back(NetnsRate{});
	EXPECT_EQ(watch_frame_json(f), reference(f));
	f.latency_on = true;
	f.netns.front().ifaces.push_back(IfaceRate{});
	EXPECT_EQ(watch_frame_json(f), reference(f));
}

// Edge values: every optional set or not, huge and tiny doubles, -0, NaN and
// infinity (null), the largest integers, names needing escapes, invalid
// UTF-8 (replaced), multi-byte UTF-8.
TEST(WatchFrameJson, SameTextAsTheDocument)
{
	std::mt19937_64 rng(42);
	const double doubles[] = {0.0, -0.0, 1.0, 0.1, 1e-7, 123456.789, 1e21, 1.5e300, 4.9e-324,
				  1e15, 1e16, 12.0, 1.0 / 3,
				  std::numeric_limits<double>::quiet_NaN(),
				  std::numeric_limits<double>::infinity()};
	const std::string names[] = {"eth0", "", "a\"b", "back\\slash", "tab\there", "ctl\x01\x1f",
				     "del\x7f", "caf\xc3\xa9", "bad\xff\xfe", "trunc\xe2\x82",
				     "h-nspb1234-999", "\xf0\x9f\x98\x80"};
	auto pick_d = [&]() -> std::optional<double> {
		size_t i = rng() % (std::size(doubles) + 3);
		if (i >= std::size(doubles))
			return i == std::size(doubles) ? std::nullopt
						       : std::optional<double>(static_cast<double>(rng() % 100000) / 7.0);
		return doubles[i];
	};
	auto pick_s = [&] { return names[rng() % std::size(names)]; };
	for (int round = 0; round < 300; round++) {
		WatchFrame f;
		f.frame = static_cast<long>(rng() % 3 == 0 ? std::numeric_limits<long>::max() : rng() % 1000);
		f.interval = pick_d().value_or(1.0);
		f.sample_span = pick_d().value_or(0.0);
		if (rng() % 3)
			f.latency_on = rng() % 2 == 0;
		if (rng() % 2)
			f.counters_note = pick_s();
		size_t nn = rng() % 4;
		for (size_t n = 0; n < nn; n++) {
			NetnsRate r;
			r.inum = rng() % 2 ? std::numeric_limits<uint64_t>::max() : rng() % 5000000000ull;
			if (rng() % 2)
				r.cookie = rng();
			if (rng() % 2)
				r.label = pick_s();
			r.fresh = rng() % 2;
			for (auto *d : {&r.pps, &r.bps, &r.drops_ps, &r.sig_ps, &r.sig_ignored_ps,
					&r.nsp_drops_ps, &r.qdisc_drops_ps, &r.backlog_drops_ps,
					&r.stack_drops_ps, &r.total_drops_ps, &r.xmit_p99_ns,
					&r.cross_p99_ns})
				*d = pick_d();
			size_t ni = rng() % 3;
			for (size_t i = 0; i < ni; i++) {
				IfaceRate ir;
				ir.ifindex = rng() % 2 ? std::numeric_limits<int>::min()
						       : static_cast<int>(rng() % 100000);
				ir.name = pick_s();
				for (auto *d : {&ir.rx_pps, &ir.tx_pps, &ir.rx_bps, &ir.tx_bps,
						&ir.drops_ps, &ir.nsp_tx_pps, &ir.nsp_tx_bps,
						&ir.nsp_drops_ps})
					*d = pick_d();
				r.ifaces.push_back(ir);
			}
			f.netns.push_back(r);
		}
		ASSERT_EQ(watch_frame_json(f), reference(f)) << "round " << round;
	}
}
