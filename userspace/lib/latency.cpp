// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/latency.h"
#include "libnsprobe/units.h"

#include <charconv>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "libnsprobe/format_parser.h"
#include "libnsprobe/render.h"

namespace nsprobe {

uint64_t bucket_lo(unsigned i)
{
	return i == 0 ? 0 : uint64_t{1} << (i - 1);
}

std::optional<uint64_t> bucket_hi(unsigned i)
{
	if (i + 1 >= NSP_HIST_BUCKETS)
		return std::nullopt;
	return uint64_t{1} << i;
}

std::optional<double> hist_percentile(const Hist &h, double q)
{
	uint64_t total = 0;
	for (uint64_t b : h.buckets)
		total += b;
	if (total == 0 || !(q > 0.0) || q > 1.0)
		return std::nullopt;
	// Rank of the sample sought, 1-based.
	auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)));
	if (rank == 0)
		rank = 1;
	uint64_t below = 0;
	for (unsigned i = 0; i < NSP_HIST_BUCKETS; i++) {
		uint64_t n = h.buckets[i];
		if (n == 0 || below + n < rank) {
			below += n;
			continue;
		}
		auto lo = static_cast<double>(bucket_lo(i));
		std::optional<uint64_t> hi = bucket_hi(i);
		if (!hi)
			return lo;
		double frac = static_cast<double>(rank - below) / static_cast<double>(n);
		return lo + frac * (static_cast<double>(*hi) - lo);
	}
	return std::nullopt;	// not reached
}

namespace {

bool parse_u64(std::string_view s, uint64_t &out)
{
	if (s.empty() || s.size() > 20)
		return false;
	auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
	return ec == std::errc() && p == s.data() + s.size();
}

bool is_key(std::string_view k)
{
	if (k.empty())
		return false;
	for (char c : k)
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	return true;
}

// Splits "<type> k=v k=v" into its type and fields; "" on success.
std::string split_fields(std::string_view line, std::string_view &type,
			 std::map<std::string_view, std::string_view> &kv)
{
	size_t sp = line.find(' ');
	type = line.substr(0, sp);
	if (!is_key(type))
		return fmt::format("bad record type '{}'", type);
	while (sp != std::string_view::npos) {
		size_t next = line.find(' ', sp + 1);
		std::string_view tok = line.substr(sp + 1, next == std::string_view::npos
							       ? std::string_view::npos
							       : next - sp - 1);
		size_t eq = tok.find('=');
		if (eq == std::string_view::npos)
			return fmt::format("field '{}' is not key=value", tok);
		std::string_view k = tok.substr(0, eq), v = tok.substr(eq + 1);
		if (!is_key(k))
			return fmt::format("bad key '{}'", k);
		if (v.empty())
			return fmt::format("key '{}' has an empty value", k);
		if (!kv.emplace(k, v).second)
			return fmt::format("key '{}' repeats", k);
		sp = next;
	}
	return {};
}

} // namespace

Result<LatencyFile> parse_latency(std::string_view content, std::string_view file)
{
	LatencyFile out;
	unsigned lineno = 0;
	size_t pos = 0;
	while (pos < content.size()) {
		size_t nl = content.find('\n', pos);
		if (nl == std::string_view::npos)
			return Error{Errc::malformed, fmt::format("{}:{}", file, lineno + 1),
				     "last line has no newline", {}, 0};
		std::string_view line = content.substr(pos, nl - pos);
		pos = nl + 1;
		lineno++;
		if (line.empty() || line.front() == '#')
			continue;
		auto bad = [&](const std::string &why) -> Error {
			return Error{Errc::malformed, fmt::format("{}:{}", file, lineno), why, {}, 0};
		};
		std::string_view type;
		std::map<std::string_view, std::string_view> kv;
		if (std::string why = split_fields(line, type, kv); !why.empty())
			return bad(why);
		auto need_u64 = [&](std::string_view k, uint64_t &dst) -> std::string {
			auto it = kv.find(k);
			if (it == kv.end())
				return fmt::format("missing key '{}'", k);
			if (!parse_u64(it->second, dst))
				return fmt::format("key '{}': '{}' is not an unsigned integer", k,
						   it->second);
			return {};
		};
		if (type == "latency") {
			LatencyStatsRecord r;
			for (auto [k, dst] : {std::pair<const char *, uint64_t *>{"table", &r.table},
					      {"max_age_ns", &r.max_age_ns},
					      {"cross_matched", &r.cross_matched},
					      {"cross_evicted", &r.cross_evicted},
					      {"cross_aged", &r.cross_aged},
					      {"cross_busy", &r.cross_busy}})
				if (std::string why = need_u64(k, *dst); !why.empty())
					return bad(why);
			if (out.stats)
				return bad("more than one latency record");
			out.stats = r;
			continue;
		}
		if (type != "dev_hist" && type != "netns_hist")
			continue;
		HistRecord r;
		r.per_device = type == "dev_hist";
		uint64_t v = 0;
		if (std::string why = need_u64("inum", v); !why.empty())
			return bad(why);
		if (v > UINT32_MAX)
			return bad(fmt::format("inum {} does not fit 32 bits", v));
		r.inum = static_cast<uint32_t>(v);
		if (std::string why = need_u64("cookie", r.cookie); !why.empty())
			return bad(why);
		if (r.per_device) {
			if (std::string why = need_u64("ifindex", v); !why.empty())
				return bad(why);
			if (v == 0 || v > INT32_MAX)
				return bad(fmt::format("ifindex {} is out of range", v));
			r.ifindex = static_cast<int32_t>(v);
			auto it = kv.find("name");
			if (it == kv.end())
				return bad("missing key 'name'");
			std::optional<std::string> name = unescape(it->second);
			if (!name)
				return bad(fmt::format("key 'name': bad escape in '{}'", it->second));
			r.name = *name;
		}
		auto kind = kv.find("kind");
		if (kind == kv.end())
			return bad("missing key 'kind'");
		r.kind = std::string(kind->second);
		if (std::string why = need_u64("count", r.hist.count); !why.empty())
			return bad(why);
		if (std::string why = need_u64("sum_ns", r.hist.sum_ns); !why.empty())
			return bad(why);
		uint64_t total = 0;
		for (auto [k, val] : kv) {
			if (k.size() < 2 || k[0] != 'b' || k[1] < '0' || k[1] > '9')
				continue;
			uint64_t idx = 0, n = 0;
			if (!parse_u64(k.substr(1), idx) || idx >= NSP_HIST_BUCKETS)
				return bad(fmt::format("bucket key '{}' is outside b0..b{}", k,
						       NSP_HIST_BUCKETS - 1));
			if (!parse_u64(val, n))
				return bad(fmt::format("key '{}': '{}' is not an unsigned integer", k,
						       val));
			r.hist.buckets[idx] = n;
			total += n;
		}
		if (total != r.hist.count)
			return bad(fmt::format("count {} differs from the sum of its buckets {}",
					       r.hist.count, total));
		out.hists.push_back(std::move(r));
	}
	return out;
}

bool LatencyFilter::matches(const HistRecord &r) const
{
	if (inum && r.inum != *inum)
		return false;
	if (dev && (!r.per_device || r.name != *dev))
		return false;
	return true;
}

std::string format_ns(double ns)
{
	static const struct {
		double div;
		const char *unit;
	} units[] = {{1e9, "s"}, {1e6, "ms"}, {1e3, "µs"}};
	for (const auto &u : units)
		if (ns >= u.div)
			return fmt::format("{:.3g}{}", ns / u.div, u.unit);
	return fmt::format("{:.3g}ns", ns);
}

namespace {

// A bucket bound in ns with its unit, 3 significant digits: "512ns",
// "2.05µs" (2048 ns), "4.19ms". The bounds are powers of two of ns
// (format.h NSP_HIST_*), so a decimal unit rounds them.
std::string bound_label(uint64_t ns)
{
	return format_ns(static_cast<double>(ns));
}

std::string netns_title(const HistRecord &r, const std::map<uint64_t, NetnsLabel> *labels)
{
	const NetnsLabel *l = nullptr;
	if (labels)
		if (auto it = labels->find(r.inum); it != labels->end())
			l = &it->second;
	return fmt::format("netns {}:{} ({})", r.inum, r.cookie,
			   netns_label_text(l, is_host_netns(r.inum, r.cookie)));
}

std::string hist_title(const HistRecord &r, const std::map<uint64_t, NetnsLabel> *labels)
{
	if (r.per_device)
		return fmt::format("{} dev {} (ifindex {}) {}", netns_title(r, labels), printable(r.name),
				   r.ifindex, printable(r.kind));
	return fmt::format("{} all devices {}", netns_title(r, labels), printable(r.kind));
}

bool same_hist(const Hist &a, const Hist &b)
{
	return a.count == b.count && a.sum_ns == b.sum_ns && a.buckets == b.buckets;
}

// A netns_hist that only repeats the one dev_hist of its netns and kind
// (no other device, live or departed, added to it).
bool repeats_one_device(const LatencyFile &f, const HistRecord &r)
{
	if (r.per_device)
		return false;
	const HistRecord *only = nullptr;
	for (const HistRecord &d : f.hists) {
		if (!d.per_device || d.inum != r.inum || d.cookie != r.cookie || d.kind != r.kind)
			continue;
		if (only)
			return false;
		only = &d;
	}
	return only && same_hist(only->hist, r.hist);
}

std::string pct(const Hist &h, double q)
{
	std::optional<double> v = hist_percentile(h, q);
	return v ? format_ns(*v) : "-";
}

// A histogram whose samples a helper that is not armed lost (coverage.h).
bool hist_unknown(const HistRecord &r, const Coverage *cov)
{
	return cov && r.kind == kCrossField && cov->unknown(kCrossField);
}

} // namespace

std::string render_latency_text(const LatencyFile &f, const LatencyFilter &filter,
				const Coverage *cov, const std::map<uint64_t, NetnsLabel> *labels)
{
	std::string out = std::string(kLatencyScope) + "\n\n";
	for (const HistRecord &r : f.hists) {
		if (!filter.matches(r) || repeats_one_device(f, r))
			continue;
		if (hist_unknown(r, cov)) {
			out += fmt::format("@{}: count -\n\n", hist_title(r, labels));
			continue;
		}
		const Hist &h = r.hist;
		out += fmt::format("@{}: count {}", hist_title(r, labels), h.count);
		if (h.count)
			out += fmt::format(", avg {}, p50 {}, p90 {}, p99 {}",
					   format_ns(static_cast<double>(h.sum_ns) /
						     static_cast<double>(h.count)),
					   pct(h, 0.50), pct(h, 0.90), pct(h, 0.99));
		out += "\n";
		int first = -1, last = -1;
		uint64_t max = 0;
		for (unsigned i = 0; i < NSP_HIST_BUCKETS; i++) {
			if (!h.buckets[i])
				continue;
			if (first < 0)
				first = static_cast<int>(i);
			last = static_cast<int>(i);
			max = std::max(max, h.buckets[i]);
		}
		for (int i = first; first >= 0 && i <= last; i++) {
			uint64_t n = h.buckets[static_cast<unsigned>(i)];
			std::optional<uint64_t> hi = bucket_hi(static_cast<unsigned>(i));
			std::string lo = bound_label(bucket_lo(static_cast<unsigned>(i)));
			std::string range = hi ? fmt::format("[{}, {})", lo, bound_label(*hi))
					       : fmt::format("[{}, ...)", lo);
			auto width = static_cast<size_t>(max ? (n * 52 + max - 1) / max : 0);
			// "µ" is two bytes and one column: pad by columns.
			size_t cols = 0;
			for (unsigned char c : range)
				cols += (c & 0xC0) != 0x80;
			out += range + std::string(cols < 18 ? 18 - cols : 1, ' ') +
			       fmt::format("{:>8} |{:<52}|\n", n, std::string(width, '@'));
		}
		out += "\n";
	}
	if (f.stats)
		out += fmt::format("crossing matcher: {} matched, unmatched: {} evicted, {} aged "
				   "(> {}), {} not recorded (slot busy); table {} slots\n",
				   f.stats->cross_matched, f.stats->cross_evicted, f.stats->cross_aged,
				   format_ns(static_cast<double>(f.stats->max_age_ns)),
				   f.stats->cross_busy, f.stats->table);
	if (cov)
		for (const std::string &n : coverage_notes(*cov, CoverageScope::latency))
			out += "note: " + printable(n) + "\n";
	return out;
}

std::string render_latency_json(const LatencyFile &f, const LatencyFilter &filter,
				const Coverage *cov)
{
	using nlohmann::json;
	json j = {{"schema", kJsonSchema}};
	if (f.stats)
		j["matcher"] = {{"table", f.stats->table},
				{"max_age_ns", f.stats->max_age_ns},
				{"cross_matched", f.stats->cross_matched},
				{"cross_evicted", f.stats->cross_evicted},
				{"cross_aged", f.stats->cross_aged},
				{"cross_busy", f.stats->cross_busy}};
	else
		j["matcher"] = nullptr;
	json hs = json::array();
	for (const HistRecord &r : f.hists) {
		if (!filter.matches(r))
			continue;
		json e = {{"scope", r.per_device ? "dev" : "netns"},
			  {"inum", r.inum},
			  {"cookie", r.cookie},
			  {"ifindex", r.per_device ? json(r.ifindex) : json(nullptr)},
			  {"name", r.per_device ? json(r.name) : json(nullptr)},
			  {"kind", r.kind},
			  {"count", r.hist.count},
			  {"sum_ns", r.hist.sum_ns},
			  {"buckets", r.hist.buckets}};
		for (auto [key, q] : {std::pair<const char *, double>{"p50_ns", 0.50},
				      {"p90_ns", 0.90},
				      {"p99_ns", 0.99}}) {
			std::optional<double> v = hist_percentile(r.hist, q);
			e[key] = v ? json(*v) : json(nullptr);
		}
		if (hist_unknown(r, cov))
			for (const char *key : {"count", "sum_ns", "buckets", "p50_ns", "p90_ns", "p99_ns"})
				e[key] = nullptr;
		hs.push_back(std::move(e));
	}
	j["histograms"] = std::move(hs);
	j["coverage"] = cov ? coverage_json(*cov, CoverageScope::latency) : json(nullptr);
	return json_text(j);
}

} // namespace nsprobe
