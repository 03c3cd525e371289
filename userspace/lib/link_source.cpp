// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/link_source.h"

#include <cerrno>
#include <cstdlib>
#include <algorithm>
#include <cstring>

#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/cache.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/tc.h>
#include <netlink/socket.h>

#include <fmt/format.h>

#include "libnsprobe/link_cache.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

namespace nsprobe {
namespace {

std::string ns_what(const NetnsId &id)
{
	return fmt::format("netns {}", id.inum);
}

Error nl_error(std::string what, int nlerr)
{
	return Error{Errc::netlink, std::move(what), nl_geterror(nlerr), {}, 0};
}

// Enters a netns for the calling thread and always goes back. Going back can
// only fail if the original netns fd became invalid; the process would then
// keep running in the wrong netns, so the destructor aborts in that case
// (restore() reports it as an error first when called explicitly).
class NetnsGuard {
public:
	explicit NetnsGuard(int orig_fd) : orig_fd_(orig_fd) {}
	NetnsGuard(const NetnsGuard &) = delete;
	NetnsGuard &operator=(const NetnsGuard &) = delete;
	~NetnsGuard()
	{
		if (entered_ && ::setns(orig_fd_, CLONE_NEWNET) != 0)
			std::abort();
	}

	int enter(int fd)
	{
		if (::setns(fd, CLONE_NEWNET) != 0)
			return errno;
		entered_ = true;
		return 0;
	}

	int restore()
	{
		if (!entered_)
			return 0;
		if (::setns(orig_fd_, CLONE_NEWNET) != 0)
			return errno;
		entered_ = false;
		return 0;
	}

private:
	int orig_fd_;
	bool entered_ = false;
};

struct SockDeleter {
	void operator()(nl_sock *s) const { nl_socket_free(s); }
};
using SockPtr = std::unique_ptr<nl_sock, SockDeleter>;

struct CacheDeleter {
	void operator()(nl_cache *c) const { nl_cache_free(c); }
};

struct MsgDeleter {
	void operator()(nl_msg *m) const { nlmsg_free(m); }
};

LinkInfo to_link_info(rtnl_link *l)
{
	LinkInfo li;
	if (const char *n = rtnl_link_get_name(l))
		li.name = n;
	li.ifindex = rtnl_link_get_ifindex(l);
	if (const char *k = rtnl_link_get_type(l))
		li.kind = k;
	li.admin_up = (rtnl_link_get_flags(l) & IFF_UP) != 0;
	char buf[32];
	li.oper_state = rtnl_link_operstate2str(rtnl_link_get_operstate(l), buf, sizeof(buf));
	li.mtu = rtnl_link_get_mtu(l);
	// libnl gives 0 both when IFLA_LINK is absent and when it is 0; ifindex
	// 0 is never a device, so 0 means "no IFLA_LINK" here.
	if (int link = rtnl_link_get_link(l); link != 0)
		li.link = link;
	int32_t nsid = 0;
	if (rtnl_link_get_link_netnsid(l, &nsid) == 0)
		li.link_netnsid = nsid;
	li.stats.rx_packets = rtnl_link_get_stat(l, RTNL_LINK_RX_PACKETS);
	li.stats.rx_bytes = rtnl_link_get_stat(l, RTNL_LINK_RX_BYTES);
	li.stats.rx_dropped = rtnl_link_get_stat(l, RTNL_LINK_RX_DROPPED);
	li.stats.tx_packets = rtnl_link_get_stat(l, RTNL_LINK_TX_PACKETS);
	li.stats.tx_bytes = rtnl_link_get_stat(l, RTNL_LINK_TX_BYTES);
	li.stats.tx_dropped = rtnl_link_get_stat(l, RTNL_LINK_TX_DROPPED);
	return li;
}

} // namespace

NetlinkLinkSource::NetlinkLinkSource() = default;

NetlinkLinkSource::~NetlinkLinkSource()
{
	for (auto &[id, h] : handles_)
		if (h.sock)
			nl_socket_free(h.sock);
}

Status NetlinkLinkSource::init()
{
	if (orig_fd_.valid())
		return ok_status();
	orig_fd_.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
	if (!orig_fd_.valid())
		return errno_error(Errc::internal, "/proc/thread-self/ns/net", errno);
	struct stat st {};
	if (::fstat(orig_fd_.get(), &st) != 0)
		return errno_error(Errc::internal, "/proc/thread-self/ns/net", errno);
	orig_id_ = {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
	return ok_status();
}

Result<UniqueFd> NetlinkLinkSource::open_ns(const NetnsInfo &ns)
{
	// Open it through any path that still leads to the same inode: a pid
	// may have exited (ENOENT/ESRCH) or been reused (another inode).
	UniqueFd fd;
	int denied = 0;
	for (const std::string &path : ns.open_paths) {
		UniqueFd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
		if (!f.valid()) {
			if (errno == EACCES || errno == EPERM)
				denied = errno;
			continue;
		}
		struct stat st {};
		if (::fstat(f.get(), &st) != 0 || static_cast<uint64_t>(st.st_dev) != ns.id.dev ||
		    static_cast<uint64_t>(st.st_ino) != ns.id.inum)
			continue;
		fd = std::move(f);
		break;
	}
	if (!fd.valid()) {
		if (denied)
			return errno_error(Errc::permission_denied, ns_what(ns.id), denied,
					   "entering other network namespaces needs root");
		return Error{Errc::netns_not_found, ns_what(ns.id), "vanished during the scan", {}, 0};
	}

	return fd;
}

Result<UniqueFd> NetlinkLinkSource::run_in_netns(const NetnsInfo &ns,
						 const std::function<void()> &in_ns)
{
	if (auto s = init(); !s)
		return s.error();
	auto opened = open_ns(ns);
	if (!opened)
		return opened.error();
	NetnsGuard guard(orig_fd_.get());
	if (ns.id != orig_id_) {
		if (int err = guard.enter(opened->get()))
			return errno_error(err == EPERM ? Errc::permission_denied : Errc::internal,
					   "setns to " + ns_what(ns.id), err,
					   err == EPERM ? "entering other network namespaces needs root" : "");
	}
	in_ns();
	if (int err = guard.restore())
		return errno_error(Errc::internal, "setns back to the original netns", err);
	return opened;
}

Result<LinkDump> NetlinkLinkSource::dump(const NetnsInfo &ns)
{
	SockPtr sock(nl_socket_alloc());
	if (!sock)
		return Error{Errc::internal, "nl_socket_alloc", "out of memory", {}, ENOMEM};
	// Sockets stay bound to the netns they were created in.
	int connect_err = 0;
	UniqueFd udp;
	auto entered = run_in_netns(ns, [&] {
		connect_err = nl_connect(sock.get(), NETLINK_ROUTE);
		udp.reset(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	});
	if (!entered)
		return entered.error();
	UniqueFd fd = std::move(*entered);
	if (connect_err < 0)
		return nl_error("netlink socket in " + ns_what(ns.id), connect_err);

	LinkDump out;
	if (udp.valid()) {
		uint64_t cookie = 0;
		socklen_t len = sizeof(cookie);
		if (::getsockopt(udp.get(), SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) == 0)
			out.cookie = cookie;
	}
	udp.reset();

	nl_cache *raw = nullptr;
	if (int err = rtnl_link_alloc_cache(sock.get(), AF_UNSPEC, &raw); err < 0)
		return nl_error("RTM_GETLINK dump in " + ns_what(ns.id), err);
	std::unique_ptr<nl_cache, CacheDeleter> cache(raw);
	bool needs_sock = false;
	for (nl_object *o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
		out.links.push_back(to_link_info(reinterpret_cast<rtnl_link *>(o)));
		needs_sock |= out.links.back().link_netnsid.has_value();
	}

	Handle &h = handles_[ns.id];
	h.ns_fd = std::move(fd);
	if (h.sock)
		nl_socket_free(h.sock);
	h.sock = needs_sock ? sock.release() : nullptr;
	return out;
}

Result<int32_t> NetlinkLinkSource::nsid_of(const NetnsId &viewer, const NetnsId &target)
{
	auto v = handles_.find(viewer);
	auto t = handles_.find(target);
	if (v == handles_.end() || !v->second.sock)
		return Error{Errc::internal, "nsid_of " + ns_what(viewer), "no netlink socket there", {}, 0};
	if (t == handles_.end())
		return Error{Errc::netns_not_found, ns_what(target), "not open", {}, 0};
	nl_sock *sk = v->second.sock;
	nl_socket_disable_auto_ack(sk);

	std::unique_ptr<nl_msg, MsgDeleter> msg(nlmsg_alloc_simple(RTM_GETNSID, NLM_F_REQUEST));
	if (!msg)
		return Error{Errc::internal, "nlmsg_alloc", "out of memory", {}, ENOMEM};
	struct rtgenmsg rt {};
	rt.rtgen_family = AF_UNSPEC;
	if (nlmsg_append(msg.get(), &rt, sizeof(rt), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg.get(), NETNSA_FD, static_cast<uint32_t>(t->second.ns_fd.get())) < 0)
		return Error{Errc::internal, "RTM_GETNSID", "message too small", {}, 0};
	std::string what = fmt::format("RTM_GETNSID in netns {} for netns {}", viewer.inum, target.inum);
	if (int err = nl_send_auto(sk, msg.get()); err < 0)
		return nl_error(what, err);
	uint32_t seq = nlmsg_hdr(msg.get())->nlmsg_seq;

	for (;;) {
		unsigned char *buf = nullptr;
		sockaddr_nl peer {};
		int n = nl_recv(sk, &peer, &buf, nullptr);
		if (n <= 0)
			return nl_error(what, n == 0 ? -NLE_MSG_TRUNC : n);
		std::unique_ptr<unsigned char, decltype(&std::free)> owned(buf, &std::free);
		int len = n;
		for (nlmsghdr *hdr = reinterpret_cast<nlmsghdr *>(buf); nlmsg_ok(hdr, len);
		     hdr = nlmsg_next(hdr, &len)) {
			if (hdr->nlmsg_seq != seq)
				continue;	// stale reply to an earlier request
			if (hdr->nlmsg_type == NLMSG_ERROR) {
				auto *e = static_cast<nlmsgerr *>(nlmsg_data(hdr));
				int err = -e->error;
				return errno_error(err == ENOENT || err == EBADF ? Errc::netns_not_found
										  : Errc::netlink,
						   what, err ? err : EPROTO);
			}
			if (hdr->nlmsg_type != RTM_NEWNSID)
				continue;
			nlattr *tb[NETNSA_MAX + 1] = {};
			if (int err = nlmsg_parse(hdr, sizeof(rtgenmsg), tb, NETNSA_MAX, nullptr); err < 0)
				return nl_error(what, err);
			if (!tb[NETNSA_NSID])
				return Error{Errc::netlink, what, "reply without NETNSA_NSID", {}, 0};
			return nla_get_s32(tb[NETNSA_NSID]);
		}
	}
}

Result<std::map<std::string, LinkStats>> NetlinkLinkSource::proc_net_dev(int pid, const NetnsId &id)
{
	// Every lookup goes through one open /proc/<pid>: if that process
	// exits and its pid is reused meanwhile, lookups under the old
	// directory fail (ESRCH/ENOENT) rather than reach the new process.
	std::string dir = "/proc/" + std::to_string(pid);
	std::string what = dir + "/net/dev";
	auto gone = [&](const std::string &why) {
		return Error{Errc::netns_not_found, what, why, {}, 0};
	};
	UniqueFd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!d.valid())
		return errno == EACCES || errno == EPERM ? errno_error(Errc::permission_denied, dir, errno)
							 : gone("the process exited");
	// 0: in netns `id`; else an errno, or -1: in another netns.
	auto in_ns = [&]() -> int {
		struct stat st {};
		if (::fstatat(d.get(), "ns/net", &st, 0) != 0)
			return errno;
		return static_cast<uint64_t>(st.st_dev) == id.dev &&
				       static_cast<uint64_t>(st.st_ino) == id.inum
			       ? 0
			       : -1;
	};
	auto check = [&]() -> std::optional<Error> {
		int r = in_ns();
		if (r == 0)
			return std::nullopt;
		if (r == EACCES || r == EPERM)
			return errno_error(Errc::permission_denied, dir + "/ns/net", r);
		return gone(r == -1 ? fmt::format("no longer in netns {}", id.inum)
				    : "the process exited");
	};
	if (auto e = check())
		return *e;
	UniqueFd f(::openat(d.get(), "net/dev", O_RDONLY | O_CLOEXEC));
	if (!f.valid())
		return errno == EACCES || errno == EPERM ? errno_error(Errc::permission_denied, what, errno)
							 : gone("the process exited");
	// A fresh file: no lseek (read_fd_from_start()), one read() per 8 KiB
	// and one more for the end.
	std::string text;
	for (;;) {
		size_t at = text.size();
		text.resize(at + 8192);
		ssize_t n = ::read(f.get(), text.data() + at, 8192);
		if (n < 0 && errno == EINTR) {
			text.resize(at);
			continue;
		}
		if (n < 0)
			return gone("the process exited");
		text.resize(at + static_cast<size_t>(n));
		if (n == 0)
			break;
	}
	// The file was bound to the process's netns when opened: it must still
	// be `id` (a process may setns() between the check and the open).
	if (auto e = check())
		return *e;
	return parse_proc_net_dev(text, what);
}

Result<std::map<int, LinkStats>> NetlinkLinkSource::link_stats(const NetnsInfo &ns)
{
	UniqueFd sock;
	int sock_err = 0;
	auto entered = run_in_netns(ns, [&] {
		sock.reset(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
		if (!sock.valid())
			sock_err = errno;
	});
	if (!entered)
		return entered.error();
	entered->reset();	// the socket is bound to ns now; keep no fd of it
	std::string what = "RTM_GETSTATS dump in " + ns_what(ns.id);
	if (!sock.valid())
		return errno_error(Errc::netlink, what, sock_err);

	struct {
		nlmsghdr hdr;
		if_stats_msg ifsm;
	} req {};
	req.hdr.nlmsg_len = NLMSG_LENGTH(sizeof(if_stats_msg));
	req.hdr.nlmsg_type = RTM_GETSTATS;
	req.hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.hdr.nlmsg_seq = 1;
	req.ifsm.family = AF_UNSPEC;
	req.ifsm.filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64);
	sockaddr_nl kernel {};
	kernel.nl_family = AF_NETLINK;
	if (::sendto(sock.get(), &req, req.hdr.nlmsg_len, 0, reinterpret_cast<sockaddr *>(&kernel),
		     sizeof(kernel)) < 0)
		return errno_error(Errc::netlink, what, errno);

	std::map<int, LinkStats> out;
	std::vector<char> buf(64 * 1024);
	for (;;) {
		iovec iov{buf.data(), buf.size()};
		msghdr mh {};
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		ssize_t n = ::recvmsg(sock.get(), &mh, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno_error(Errc::netlink, what, errno);
		}
		if (n == 0 || (mh.msg_flags & MSG_TRUNC))
			return Error{Errc::netlink, what, "truncated reply", {}, 0};
		int len = static_cast<int>(n);
		for (nlmsghdr *h = reinterpret_cast<nlmsghdr *>(buf.data()); nlmsg_ok(h, len);
		     h = nlmsg_next(h, &len)) {
			if (h->nlmsg_seq != req.hdr.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return out;
			if (h->nlmsg_type == NLMSG_ERROR) {
				auto *e = static_cast<nlmsgerr *>(nlmsg_data(h));
				return errno_error(Errc::netlink, what, e->error ? -e->error : EPROTO);
			}
			if (h->nlmsg_type != RTM_NEWSTATS)
				continue;
			nlattr *tb[IFLA_STATS_MAX + 1] = {};
			if (int err = nlmsg_parse(h, sizeof(if_stats_msg), tb, IFLA_STATS_MAX, nullptr);
			    err < 0)
				return nl_error(what, err);
			if (!tb[IFLA_STATS_LINK_64])
				continue;	// the size check of LinkDumpCache sees it
			auto *ifsm = static_cast<const if_stats_msg *>(nlmsg_data(h));
			rtnl_link_stats64 s {};
			std::memcpy(&s, nla_data(tb[IFLA_STATS_LINK_64]),
				    std::min<size_t>(static_cast<size_t>(nla_len(tb[IFLA_STATS_LINK_64])),
						     sizeof(s)));
			LinkStats &l = out[static_cast<int>(ifsm->ifindex)];
			l.rx_packets = s.rx_packets;
			l.rx_bytes = s.rx_bytes;
			l.rx_dropped = s.rx_dropped;
			l.tx_packets = s.tx_packets;
			l.tx_bytes = s.tx_bytes;
			l.tx_dropped = s.tx_dropped;
		}
	}
}

Result<NetnsDropCounters> NetlinkLinkSource::drop_counters(const NetnsInfo &ns, bool snmp)
{
	NetnsDropCounters out;
	SockPtr sock(nl_socket_alloc());
	if (!sock)
		return Error{Errc::internal, "nl_socket_alloc", "out of memory", {}, ENOMEM};
	int connect_err = 0;
	auto entered = run_in_netns(ns, [&] {
		connect_err = nl_connect(sock.get(), NETLINK_ROUTE);
		// /proc/<pid>/net follows the task's netns when opened: this
		// thread is in ns now.
		for (const char *f : {"snmp", "netstat"}) {
			if (!snmp)
				break;	// the qdiscs only
			std::string path = std::string("/proc/thread-self/net/") + f;
			auto text = read_whole_file(path);
			if (!text) {
				out.snmp_error = text.error().message();
				break;
			}
			if (auto st = parse_snmp(*text, path, out.snmp); !st) {
				out.snmp_error = st.error().message();
				break;
			}
		}
	});
	if (!entered)
		return entered.error();
	if (out.snmp_error)
		out.snmp.clear();

	nl_cache *raw = nullptr;
	int err = connect_err < 0 ? connect_err : rtnl_qdisc_alloc_cache(sock.get(), &raw);
	if (err < 0) {
		out.qdisc_error = nl_error("RTM_GETQDISC dump in " + ns_what(ns.id), err).message();
		return out;
	}
	std::unique_ptr<nl_cache, CacheDeleter> cache(raw);
	for (nl_object *o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
		auto *tc = reinterpret_cast<rtnl_tc *>(o);
		QdiscStats q;
		q.ifindex = rtnl_tc_get_ifindex(tc);
		if (const char *k = rtnl_tc_get_kind(tc))
			q.kind = k;
		q.handle = rtnl_tc_get_handle(tc);
		q.parent = rtnl_tc_get_parent(tc);
		q.packets = rtnl_tc_get_stat(tc, RTNL_TC_PACKETS);
		q.bytes = rtnl_tc_get_stat(tc, RTNL_TC_BYTES);
		q.drops = rtnl_tc_get_stat(tc, RTNL_TC_DROPS);
		q.overlimits = rtnl_tc_get_stat(tc, RTNL_TC_OVERLIMITS);
		q.requeues = rtnl_tc_get_stat(tc, RTNL_TC_REQUEUES);
		q.qlen = rtnl_tc_get_stat(tc, RTNL_TC_QLEN);
		q.backlog = rtnl_tc_get_stat(tc, RTNL_TC_BACKLOG);
		out.qdiscs.push_back(std::move(q));
	}
	std::stable_sort(out.qdiscs.begin(), out.qdiscs.end(),
			 [](const QdiscStats &a, const QdiscStats &b) { return a.ifindex < b.ifindex; });
	return out;
}

Result<std::vector<NeighTableStats>> NetlinkLinkSource::neigh_tables()
{
	const std::string what = "RTM_GETNEIGHTBL dump";
	SockPtr sock(nl_socket_alloc());
	if (!sock)
		return Error{Errc::internal, "nl_socket_alloc", "out of memory", {}, ENOMEM};
	if (int err = nl_connect(sock.get(), NETLINK_ROUTE); err < 0)
		return nl_error(what, err);
	struct ndtmsg ndtm {};
	ndtm.ndtm_family = AF_UNSPEC;
	if (int err = nl_send_simple(sock.get(), RTM_GETNEIGHTBL, NLM_F_DUMP, &ndtm, sizeof(ndtm));
	    err < 0)
		return nl_error(what, err);

	std::vector<NeighTableStats> out;
	for (bool done = false; !done;) {
		unsigned char *buf = nullptr;
		sockaddr_nl peer {};
		int n = nl_recv(sock.get(), &peer, &buf, nullptr);
		if (n <= 0)
			return nl_error(what, n == 0 ? -NLE_MSG_TRUNC : n);
		std::unique_ptr<unsigned char, decltype(&std::free)> owned(buf, &std::free);
		int len = n;
		for (nlmsghdr *hdr = reinterpret_cast<nlmsghdr *>(buf); nlmsg_ok(hdr, len);
		     hdr = nlmsg_next(hdr, &len)) {
			if (hdr->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (hdr->nlmsg_type == NLMSG_ERROR) {
				auto *e = static_cast<nlmsgerr *>(nlmsg_data(hdr));
				return errno_error(Errc::netlink, what, e->error ? -e->error : EPROTO);
			}
			auto t = parse_neightbl(hdr);
			if (!t)
				return t.error();
			if (*t)
				add_neigh_table(out, std::move(**t));
		}
	}
	// unres_discards: /proc/net/stat/<table> (initial netns only).
	for (NeighTableStats &t : out) {
		std::string path = "/proc/net/stat/" + t.name;
		auto text = read_whole_file(path);
		if (!text)
			continue;
		if (auto v = parse_neigh_stat(*text, "unresolved_discards", path))
			t.unres_discards = *v;
	}
	return out;
}

} // namespace nsprobe
