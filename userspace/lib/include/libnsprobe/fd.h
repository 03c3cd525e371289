// SPDX-License-Identifier: GPL-2.0 OR MIT
// Small POSIX helpers: an owning file descriptor and whole-file reads.
#ifndef LIBNSPROBE_FD_H
#define LIBNSPROBE_FD_H

#include <string>
#include <utility>

#include "libnsprobe/result.h"

namespace nsprobe {

// Owns one file descriptor; closes it on destruction. -1 means none.
class UniqueFd {
public:
	UniqueFd() = default;
	explicit UniqueFd(int fd) : fd_(fd) {}
	UniqueFd(UniqueFd &&o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
	UniqueFd &operator=(UniqueFd &&o) noexcept
	{
		if (this != &o) {
			reset();
			fd_ = std::exchange(o.fd_, -1);
		}
		return *this;
	}
	UniqueFd(const UniqueFd &) = delete;
	UniqueFd &operator=(const UniqueFd &) = delete;
	~UniqueFd() { reset(); }

	int get() const { return fd_; }
	bool valid() const { return fd_ >= 0; }
	void reset(int fd = -1);

private:
	int fd_ = -1;
};

// Reads a file to the end with read(2) (works for seq_file and procfs files,
// whose st_size is 0). Errors: Errc::internal with sys_errno = errno of the
// failed open/read, what = path.
Result<std::string> read_whole_file(const std::string &path);
// The same for an open file, from offset 0 (lseek(2) first: a seq_file is
// rebuilt from the start). Errors: Errc::internal, sys_errno = errno of the
// failed lseek/read, what = `what`.
Result<std::string> read_fd_from_start(int fd, const std::string &what);

} // namespace nsprobe

#endif
