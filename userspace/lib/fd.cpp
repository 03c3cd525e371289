// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/fd.h"

#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

namespace nsprobe {

void UniqueFd::reset(int fd)
{
	if (fd_ >= 0)
		::close(fd_);
	fd_ = fd;
}

Result<std::string> read_whole_file(const std::string &path)
{
	UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd.valid())
		return errno_error(Errc::internal, path, errno);
	return read_fd_from_start(fd.get(), path);
}

Result<std::string> read_fd_from_start(int fd, const std::string &what)
{
	if (::lseek(fd, 0, SEEK_SET) < 0)
		return errno_error(Errc::internal, what, errno);
	std::string out;
	char buf[8192];
	while (true) {
		ssize_t n = ::read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno_error(Errc::internal, what, errno);
		}
		if (n == 0)
			break;
		out.append(buf, static_cast<size_t>(n));
	}
	return out;
}

} // namespace nsprobe
