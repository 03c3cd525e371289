// json_text(): what the CLI prints for --json. Kernel strings are bytes, not
// UTF-8; found by tests/fuzz/fuzz_debugfs (a device name "caf\151\251").
#include <gtest/gtest.h>

#include "libnsprobe/correlator.h"
#include "libnsprobe/format_parser.h"
#include "libnsprobe/render.h"
#include "fakes.h"

using namespace nsprobe;

TEST(JsonText, InvalidUtf8InDeviceNameIsReplacedNotThrown)
{
	// Every counter key of the format, so the line stays valid as it grows.
	std::string line = "dev inum=4026532201 cookie=4097 ifindex=2 name=c\\377";
#define NSP_X(key, unit) line += " " #key "=1";
	NSP_DEV_COUNTERS(NSP_X)
#undef NSP_X
	auto devs = parse_devices(line + "\n", "devices");
	ASSERT_TRUE(devs);
	Snapshot snap;
	snap.version = tool_format_version();
	snap.devices = *devs;
	test::FakeLinkSource links;
	ShowModel m = correlate({}, links, Result<Snapshot>(snap), "/d/nsprobe");
	std::string out;
	ASSERT_NO_THROW(out = json_text(to_json(m)));
	EXPECT_NE(out.find("\"c\xef\xbf\xbd\""), std::string::npos) << out;	// "c" U+FFFD
	EXPECT_EQ(out.back(), '\n');
}

TEST(JsonText, InvalidUtf8InCommIsReplacedNotThrown)
{
	test::FakeLinkSource links;
	links.add(7, 1, {test::loopback()});
	std::vector<NetnsObservation> obs = collect_links(
		{test::info(7, {}, {{42, std::string("x\xff\xfey")}}, true)}, links);
	Result<Snapshot> none(Error{Errc::module_not_loaded, "/d/nsprobe", "does not exist", {}, 0});
	ShowModel m = correlate(obs, links, none, "/d/nsprobe");
	std::string out;
	ASSERT_NO_THROW(out = json_text(to_json(m)));
	EXPECT_NE(out.find("\"x\xef\xbf\xbd\xef\xbf\xbdy\""), std::string::npos) << out;
}
