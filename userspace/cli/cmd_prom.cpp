// SPDX-License-Identifier: GPL-2.0 OR MIT
// nsprobe serve --listen ADDR:PORT: Prometheus /metrics over HTTP (civetweb,
// through prometheus-cpp's Exposer).
// nsprobe export [--textfile DIR]: the same text once, on stdout or written
// atomically to DIR/nsprobe.prom for node_exporter's textfile collector.
//
// Both build the metrics from one fresh snapshot (debugfs, netns scan,
// netlink link dumps: the code behind status, show and signals), never from
// long-lived families, so a netns that vanished has no series any more.
// Serve: one scrape builds at a time (a mutex); a scrape that arrives while
// another builds waits for it and takes its result, and a result is reused
// for --max-age seconds (default 1). So N concurrent scrapes cost one build,
// and a scrape takes at most about two builds' time.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>

#include <civetweb.h>
#include <fmt/format.h>
#include <prometheus/collectable.h>
#include <prometheus/exposer.h>

#include "commands.h"
#include "exit_codes.h"
#include "libnsprobe/debugfs_source.h"
#include "libnsprobe/fd.h"
#include "libnsprobe/prom.h"
#include "libnsprobe/units.h"

namespace nsprobe::cli {

namespace {

using prometheus::MetricFamily;

struct Scrape {
	std::vector<MetricFamily> families;
	std::optional<Error> error;	// the netns scan or netlink failed
	std::optional<std::string> counters_unavailable;	// why, if so
};

constexpr const char *kLinksErrorHelp =
	"1 if the netns scan or netlink failed in this scrape (then only module-wide series "
	"are exported), else 0";

void add_gauge(std::vector<MetricFamily> &v, const std::string &name, const std::string &help,
	       double value)
{
	prometheus::ClientMetric m;
	m.gauge.value = value;
	v.push_back(MetricFamily{name, help, prometheus::MetricType::Gauge, {m}});
}

// One snapshot, as status, show and signals read it, turned into metrics.
Scrape scrape(const GlobalOptions &g, std::size_t max_netns)
{
	auto start = std::chrono::steady_clock::now();
	Scrape out;
	DebugfsLocation loc = resolve_debugfs(g.debugfs);
	DebugfsSource src(loc);
	auto snap = src.read();

	MetricsInput in;
	in.max_netns = max_netns;
	in.status = build_status(snap, src.dir());
	if (!in.status.module_loaded && loc.require_debugfs_magic)
		in.status.module_loaded = module_loaded_sysfs();
	in.module_loaded = in.status.module_loaded.value_or(false);
	if (!snap)
		out.counters_unavailable = snap.error().message();

	auto show = show_model(snap, src.dir(), std::nullopt);
	if (show) {
		in.show = std::move(*show);
	} else {
		out.error = show.error();
		in.show.counters = in.status.counters;
	}
	// Names and containers come from the show model (one netns scan).
	in.signals = build_signals(snap, src.dir(), {});
	if (snap) {
		auto text = read_whole_file(src.dir() + "/" + NSP_FILE_LATENCY);
		if (text)	// absent without latency=1
			if (auto f = parse_latency(*text, NSP_FILE_LATENCY))
				in.latency = std::move(*f);
	}
	out.families = build_metrics(in);
	add_gauge(out.families, "nsprobe_links_error", kLinksErrorHelp, out.error ? 1 : 0);
	std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
	add_gauge(out.families, "nsprobe_scrape_duration_seconds",
		  "time taken to read the snapshot these metrics were built from", took.count());
	return out;
}

// --listen ADDR:PORT: an IPv4 address or a bracketed IPv6 one (if civetweb
// was built with IPv6), and a port (0: any free port).
struct Listen {
	sockaddr_storage sa{};
	socklen_t len = 0;
	std::string civet;	// civetweb's listening_ports syntax
};

Result<Listen> parse_listen(const std::string &arg)
{
	auto bad = [&](const std::string &why) {
		return Error{Errc::usage, "--listen " + arg, why,
			     "give ADDR:PORT, e.g. 127.0.0.1:9750 or 0.0.0.0:9750", 0};
	};
	auto colon = arg.rfind(':');
	if (colon == std::string::npos)
		return bad("no port");
	std::string host = arg.substr(0, colon), port_s = arg.substr(colon + 1);
	unsigned port = 0;
	auto [p, ec] = std::from_chars(port_s.data(), port_s.data() + port_s.size(), port);
	if (port_s.empty() || ec != std::errc() || p != port_s.data() + port_s.size() ||
	    port > 65535)
		return bad("the port is not a number from 0 to 65535");
	Listen l;
	if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
		std::string a = host.substr(1, host.size() - 2);
		auto *s6 = reinterpret_cast<sockaddr_in6 *>(&l.sa);
		if (inet_pton(AF_INET6, a.c_str(), &s6->sin6_addr) != 1)
			return bad("not an IPv6 address");
		// mg_check_feature(8): civetweb built with USE_IPV6 (Debian 12's
		// is not).
		if (!mg_check_feature(8))
			return Error{Errc::usage, "--listen " + arg,
				     "the civetweb library nsprobe uses was built without IPv6",
				     "listen on an IPv4 address, e.g. 127.0.0.1:9750 or 0.0.0.0:9750", 0};
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(static_cast<uint16_t>(port));
		l.len = sizeof(*s6);
		l.civet = fmt::format("[{}]:{}", a, port);
	} else {
		auto *s4 = reinterpret_cast<sockaddr_in *>(&l.sa);
		if (host.empty() || inet_pton(AF_INET, host.c_str(), &s4->sin_addr) != 1)
			return bad("not an IPv4 address (host names are not looked up; IPv6 "
				   "goes in brackets)");
		s4->sin_family = AF_INET;
		s4->sin_port = htons(static_cast<uint16_t>(port));
		l.len = sizeof(*s4);
		l.civet = fmt::format("{}:{}", host, port);
	}
	return l;
}

// Binds the address as civetweb would (SO_REUSEADDR), to say why it cannot:
// civetweb itself only fails.
Status probe_bind(const Listen &l, const std::string &arg)
{
	UniqueFd fd(::socket(l.sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (fd.get() < 0)
		return errno_error(Errc::internal, "socket", errno);
	int one = 1;
	::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (::bind(fd.get(), reinterpret_cast<const sockaddr *>(&l.sa), l.len) == 0)
		return ok_status();
	int err = errno;
	switch (err) {
	case EADDRINUSE:
		return errno_error(Errc::address_in_use, "--listen " + arg, err,
				   "another process listens there (another nsprobe serve?); pick "
				   "another port");
	case EACCES:
	case EPERM:
		return errno_error(Errc::permission_denied, "--listen " + arg, err,
				   "ports below 1024 need root or CAP_NET_BIND_SERVICE");
	case EADDRNOTAVAIL:
		return errno_error(Errc::usage, "--listen " + arg, err,
				   "the address is not one of this host's");
	default:
		return errno_error(Errc::internal, "--listen " + arg, err);
	}
}

// Builds the families at most once per max_age; concurrent scrapes wait for
// the one building and share its result.
class SnapshotCollectable : public prometheus::Collectable {
public:
	SnapshotCollectable(const GlobalOptions &g, std::size_t max_netns, double max_age)
		: g_(g), max_netns_(max_netns),
		  max_age_(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
			  std::chrono::duration<double>(max_age)))
	{
	}

	std::vector<MetricFamily> Collect() const override
	{
		std::lock_guard<std::mutex> lock(mu_);
		auto now = std::chrono::steady_clock::now();
		if (built_ && now - at_ < max_age_)
			return cached_;
		try {
			Scrape s = scrape(g_, max_netns_);
			note(s);
			cached_ = std::move(s.families);
		} catch (const std::exception &e) {
			std::fprintf(stderr, "nsprobe: serve: internal error in a scrape: %s\n",
				     e.what());
			cached_.clear();
			add_gauge(cached_, "nsprobe_links_error", kLinksErrorHelp, 1);
		}
		built_ = true;
		at_ = std::chrono::steady_clock::now();
		return cached_;
	}

private:
	// Says on stderr when the counters or the links become unavailable or
	// come back, not on every scrape.
	void note(const Scrape &s) const
	{
		std::string c = s.counters_unavailable.value_or("");
		if (c != last_counters_) {
			if (c.empty())
				std::fprintf(stderr, "nsprobe: serve: module counters available\n");
			else
				std::fprintf(stderr, "nsprobe: serve: counters unavailable: %s\n",
					     printable(c).c_str());
			last_counters_ = c;
		}
		std::string e = s.error ? s.error->message() : "";
		if (e != last_error_) {
			if (!e.empty())
				std::fprintf(stderr, "nsprobe: serve: links unavailable: %s\n",
					     printable(e).c_str());
			last_error_ = e;
		}
	}

	const GlobalOptions &g_;
	std::size_t max_netns_;
	std::chrono::steady_clock::duration max_age_;
	mutable std::mutex mu_;
	mutable bool built_ = false;
	mutable std::chrono::steady_clock::time_point at_;
	mutable std::vector<MetricFamily> cached_;
	mutable std::string last_counters_;
	mutable std::string last_error_;
};

// --textfile DIR must be a directory we can reach.
Status check_textfile_dir(const std::string &dir)
{
	struct stat st {};
	errno = 0;
	if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
		int err = errno;
		if (err == EACCES || err == EPERM)
			return errno_error(Errc::permission_denied, "--textfile " + dir, err);
		return Error{Errc::usage, "--textfile " + dir,
			     err ? std::strerror(err) : "not a directory",
			     "give node_exporter's --collector.textfile.directory", err ? err : ENOTDIR};
	}
	return ok_status();
}

// Writes `text` to dir/nsprobe.prom through a temporary file in dir and a
// rename(), so node_exporter never reads half a file. The temporary name
// does not end in .prom, so the collector ignores it.
Status write_textfile(const std::string &dir, const std::string &text)
{
	std::string tmpl = dir + "/.nsprobe.prom.XXXXXX";
	UniqueFd fd(::mkostemp(tmpl.data(), O_CLOEXEC));
	if (fd.get() < 0) {
		int err = errno;
		return errno_error(err == EACCES || err == EPERM || err == EROFS
					   ? Errc::permission_denied
					   : Errc::internal,
				   "creating a file in " + dir, err);
	}
	auto fail_with = [&](const std::string &what) {
		int err = errno;
		::unlink(tmpl.c_str());
		return errno_error(Errc::internal, what, err);
	};
	std::size_t off = 0;
	while (off < text.size()) {
		ssize_t n = ::write(fd.get(), text.data() + off, text.size() - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail_with("writing " + tmpl);
		}
		off += static_cast<std::size_t>(n);
	}
	if (::fchmod(fd.get(), 0644) != 0 || ::fsync(fd.get()) != 0)
		return fail_with("writing " + tmpl);
	fd.reset();	// fsync() has reported any write-back error
	std::string final_path = dir + "/nsprobe.prom";
	if (::rename(tmpl.c_str(), final_path.c_str()) != 0)
		return fail_with("renaming " + tmpl + " to " + final_path);
	return ok_status();
}

} // namespace

ServeCommand::ServeCommand(CLI::App &app, const GlobalOptions &g)
	: Command(app, g, "serve", "serve Prometheus metrics over HTTP at /metrics",
		  "nsprobe serve --listen 127.0.0.1:9750")
{
	sub_->add_option("--listen", listen_,
			 "address and port to listen on: IPV4:PORT, or [IPV6]:PORT if civetweb has "
			 "IPv6; port 0 picks a free one (printed on stderr)")
		->type_name("ADDR:PORT")
		->required();
	sub_->add_option("--max-netns", max_netns_,
			 "at most N network namespaces get series (nsprobe_netns_omitted counts "
			 "the rest)")
		->type_name("N")
		->default_val(kDefaultMaxNetns)
		// CLI11 2.1 reads "-1" into a size_t as SIZE_MAX: no cap at all.
		->check(CLI::NonNegativeNumber);
	sub_->add_option("--max-age", max_age_,
			 "reuse a snapshot for scrapes within SEC seconds of it (concurrent "
			 "scrapes share one)")
		->type_name("SEC")
		->default_val(1.0)
		->check(CLI::Range(0.0, 3600.0));
}

int ServeCommand::run()
{
	raise_fd_limit();
	auto l = parse_listen(listen_);
	if (!l)
		return fail(l.error());
	if (auto s = probe_bind(*l, listen_); !s)
		return fail(s.error());

	// Block the stop signals before civetweb starts its threads, so they
	// inherit the mask and only sigwait() below sees them.
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, nullptr);

	auto collectable = std::make_shared<SnapshotCollectable>(g_, max_netns_, max_age_);
	std::unique_ptr<prometheus::Exposer> exposer;
	try {
		exposer = std::make_unique<prometheus::Exposer>(std::vector<std::string>{
			"listening_ports", l->civet, "num_threads", "4", "request_timeout_ms",
			"10000"});
	} catch (const std::exception &e) {
		// Lost a race for the port, or civetweb refused the address.
		if (auto s = probe_bind(*l, listen_); !s)
			return fail(s.error());
		return fail(Error{Errc::internal, "--listen " + listen_, e.what(), {}, 0});
	}
	exposer->RegisterCollectable(collectable);
	auto ports = exposer->GetListeningPorts();
	std::string shown = l->civet;
	if (!ports.empty())
		shown = l->civet.substr(0, l->civet.rfind(':') + 1) + std::to_string(ports.front());
	std::fprintf(stderr, "nsprobe: serving http://%s/metrics\n", shown.c_str());
	std::fflush(stderr);

	int sig = 0;
	sigwait(&stop, &sig);
	std::fprintf(stderr, "nsprobe: serve: %s, stopping\n", strsignal(sig));
	exposer.reset();
	return kExitOk;
}

ExportCommand::ExportCommand(CLI::App &app, const GlobalOptions &g)
	: Command(app, g, "export",
		  "print Prometheus metrics once, or write them for node_exporter's textfile "
		  "collector",
		  "nsprobe export --textfile /var/lib/prometheus/node-exporter")
{
	sub_->add_option("--textfile", textfile_,
			 "write DIR/nsprobe.prom atomically (a temporary file in DIR, then "
			 "rename) instead of printing")
		->type_name("DIR");
	sub_->add_option("--max-netns", max_netns_,
			 "at most N network namespaces get series (nsprobe_netns_omitted counts "
			 "the rest)")
		->type_name("N")
		->default_val(kDefaultMaxNetns)
		// CLI11 2.1 reads "-1" into a size_t as SIZE_MAX: no cap at all.
		->check(CLI::NonNegativeNumber);
}

int ExportCommand::run()
{
	raise_fd_limit();
	// Before the snapshot: a wrong directory is one error line, nothing else.
	if (textfile_)
		if (auto c = check_textfile_dir(*textfile_); !c)
			return fail(c.error());
	Scrape s = scrape(g_, max_netns_);
	if (s.error)
		return fail(*s.error);
	if (s.counters_unavailable)
		std::fprintf(stderr, "nsprobe: counters unavailable: %s\n",
			     printable(*s.counters_unavailable).c_str());
	std::string text = render_prometheus_text(s.families);
	if (!textfile_) {
		emit(text);
		return kExitOk;
	}
	if (auto w = write_textfile(*textfile_, text); !w)
		return fail(w.error());
	return kExitOk;
}

} // namespace nsprobe::cli
