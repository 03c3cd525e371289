// Fixture files and golden output shared by the unit tests. Regenerate the
// golden files with NSPROBE_UPDATE_GOLDEN=1 and review the diff.
#ifndef NSPROBE_TESTS_GOLDEN_H
#define NSPROBE_TESTS_GOLDEN_H

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace nsprobe::test {

// The content of tests/fixtures/<rel>.
inline std::string read_fixture(const std::string &rel)
{
	std::ifstream in(std::string(NSPROBE_FIXTURES) + "/" + rel, std::ios::binary);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

inline std::string golden_path(const std::string &name)
{
	return std::string(NSPROBE_FIXTURES) + "/golden/" + name;
}

// `actual` must equal tests/fixtures/golden/<name>; NSPROBE_UPDATE_GOLDEN=1
// writes it there instead.
inline void expect_golden(const std::string &name, const std::string &actual)
{
	if (const char *u = std::getenv("NSPROBE_UPDATE_GOLDEN"); u && *u == '1') {
		std::ofstream(golden_path(name), std::ios::binary) << actual;
		return;
	}
	std::ifstream in(golden_path(name), std::ios::binary);
	ASSERT_TRUE(in) << "missing " << golden_path(name);
	std::stringstream ss;
	ss << in.rdbuf();
	EXPECT_EQ(ss.str(), actual) << "golden " << name << " differs";
}

} // namespace nsprobe::test

#endif
