// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/units.h"

#include <fmt/format.h>

namespace nsprobe {
namespace {

// x >= base: scale into units[1..] (nullptr-terminated).
std::string scaled(double x, double base, const char *const *units, const char *sep)
{
	int u = 0;
	while (x >= base && units[u + 1]) {
		x /= base;
		u++;
	}
	// 9.96 would print as "10.0": decide on the rounded value.
	if (x < 9.95)
		return fmt::format("{:.1f}{}{}", x, sep, units[u]);
	return fmt::format("{:.0f}{}{}", x, sep, units[u]);
}

std::string human_rate(std::optional<double> v, double base, const char *const *units)
{
	if (!v)
		return "-";
	double x = *v;
	if (x < 0.05)
		return "0";
	if (x < base)
		return x < 9.95 ? fmt::format("{:.1f}", x) : fmt::format("{:.0f}", x);
	return scaled(x, base, units, "");
}

} // namespace

std::string human_si(std::optional<double> v)
{
	static const char *const units[] = {"", "k", "M", "G", "T", nullptr};
	return human_rate(v, 1000, units);
}

std::string human_iec(std::optional<double> v)
{
	static const char *const units[] = {"", "Ki", "Mi", "Gi", "Ti", nullptr};
	return human_rate(v, 1024, units);
}

std::string human_count(uint64_t n)
{
	static const char *const units[] = {"", "k", "M", "G", "T", "P", "E", nullptr};
	if (n < 100000)
		return fmt::format("{}", n);
	return scaled(static_cast<double>(n), 1000, units, "");
}

std::string printable(std::string_view s)
{
	std::string out;
	out.reserve(s.size());
	for (unsigned char c : s) {
		if (c < 0x20 || c == 0x7f)
			out += fmt::format("\\{:03o}", c);
		else
			out.push_back(static_cast<char>(c));
	}
	return out;
}

std::string human_bytes(uint64_t n)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", nullptr};
	if (n < 1024)
		return fmt::format("{} B", n);
	return scaled(static_cast<double>(n), 1024, units, " ");
}

} // namespace nsprobe
