// SPDX-License-Identifier: GPL-2.0 OR MIT
// Human units for text output. JSON always carries exact integers.
#ifndef LIBNSPROBE_UNITS_H
#define LIBNSPROBE_UNITS_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nsprobe {

// Rates. "0", "950", "9.5", "1.2k", "34M", "5.6G" (SI, for packets and
// signals per second) and "0", "950", "1.2Ki", "34Mi" (IEC, for bytes per
// second); "-" for nullopt. One decimal below 10, none from 10 up.
std::string human_si(std::optional<double> v);
std::string human_iec(std::optional<double> v);

// Counts (packets, signals): exact below 100000, then "123k", "4.6M", "7.9G"
// (SI, one decimal below 10 of the unit). 99999 stays "99999".
std::string human_count(uint64_t n);

// A string from outside (interface name, comm, path, anything read from
// debugfs) made safe for a terminal: each control byte (below 0x20, and
// 0x7f) becomes a backslash and three octal digits, as in the debugfs format
// ("\033" for ESC, "\000" for NUL); every other byte is kept. Text output
// passes every such string through this; JSON escapes them itself.
std::string printable(std::string_view s);

// Byte counts: "0 B" .. "1023 B", then "1.0 KiB", "12 KiB", "3.4 MiB",
// "5.6 GiB", "7.8 TiB" (IEC, one decimal below 10 of the unit).
std::string human_bytes(uint64_t n);

} // namespace nsprobe

#endif
