// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "libnsprobe/link_source.h"

#include <cerrno>
#include <cstdlib>
#include <algorithm>
#include <cstring>

#include <fcntl.h>
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
