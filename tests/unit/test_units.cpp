// Human units of the text output: exact where short, scaled beyond.
#include <gtest/gtest.h>

#include "libnsprobe/units.h"

using namespace nsprobe;

TEST(Units, Rates)
{
	EXPECT_EQ(human_si(std::nullopt), "-");
	EXPECT_EQ(human_si(0.0), "0");
	EXPECT_EQ(human_si(5.0), "5.0");
	EXPECT_EQ(human_si(9.96), "10");	// not "10.0"
	EXPECT_EQ(human_si(950.0), "950");
	EXPECT_EQ(human_si(1200.0), "1.2k");
	EXPECT_EQ(human_si(34000000.0), "34M");
	EXPECT_EQ(human_iec(1024.0), "1.0Ki");
	EXPECT_EQ(human_iec(1536.0 * 1024), "1.5Mi");
	EXPECT_EQ(human_iec(100.0), "100");
}

TEST(Units, Counts)
{
	EXPECT_EQ(human_count(0), "0");
	EXPECT_EQ(human_count(60), "60");
	EXPECT_EQ(human_count(99999), "99999");
	EXPECT_EQ(human_count(100000), "100k");
	EXPECT_EQ(human_count(1234567), "1.2M");
	EXPECT_EQ(human_count(9960000), "10M");
	EXPECT_EQ(human_count(UINT64_MAX), "18E");
}

TEST(Units, Printable)
{
	EXPECT_EQ(printable("eth0"), "eth0");
	EXPECT_EQ(printable(std::string_view("a\0b", 3)), "a\\000b");
	EXPECT_EQ(printable("\033[31mred"), "\\033[31mred");
	EXPECT_EQ(printable("tab\there\n"), "tab\\011here\\012");
	EXPECT_EQ(printable("\x7f\xff"), "\\177\xff");	// bytes >= 0x80 kept (UTF-8)
}

TEST(Units, Bytes)
{
	EXPECT_EQ(human_bytes(0), "0 B");
	EXPECT_EQ(human_bytes(1023), "1023 B");
	EXPECT_EQ(human_bytes(1024), "1.0 KiB");
	EXPECT_EQ(human_bytes(5880), "5.7 KiB");
	EXPECT_EQ(human_bytes(12 * 1024 + 100), "12 KiB");
	EXPECT_EQ(human_bytes(3ULL << 30), "3.0 GiB");
	EXPECT_EQ(human_bytes(UINT64_MAX), "16 EiB");
}
