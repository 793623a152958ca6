#include <httplib.h>

#include <charconv>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/gateway_options.hpp"
#include "cli/metrics_text.hpp"
#include "cli/print.hpp"
#include "gateway/status.hpp"

namespace vpngw::cli {

namespace {

struct MetricsOptions {
    gateway::Options gateway;
    std::string listen;  // ADDR:PORT
    std::string output;  // file for node_exporter's textfile collector
    bool no_drift = false;
};

// One fresh snapshot: the profile is read again each time, so a scraper
// follows edits without a restart.
Result<std::string> snapshot(const MetricsOptions& opt) {
    Diagnostics diags;
    auto session = gateway::open_session(opt.gateway, gateway::LockMode::none, diags);
    if (!session) return session.error();
    auto live = gateway::system_gateway(opt.gateway);
    gateway::StatusOptions so;
    so.drift = !opt.no_drift;
    return metrics_text(gateway::gather_status(*session, *live, so));
}

struct ListenAddress {
    std::string host;
    int port = 0;
};

// "127.0.0.1:9586", "[::1]:9586", ":9586" (all addresses).
std::optional<ListenAddress> parse_listen(const std::string& text) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    ListenAddress a;
    a.host = text.substr(0, colon);
    if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']')
        a.host = a.host.substr(1, a.host.size() - 2);
    if (a.host.empty()) a.host = "0.0.0.0";
    const std::string port = text.substr(colon + 1);
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), a.port);
    if (ec != std::errc{} || end != port.data() + port.size() || a.port < 1 || a.port > 65535)
        return std::nullopt;
    return a;
}

int serve(const MetricsOptions& opt) {
    auto where = parse_listen(opt.listen);
    if (!where) {
        std::fprintf(stderr,
                     "error: --listen wants ADDR:PORT, e.g. 127.0.0.1:9586 or [::1]:9586\n");
        return kExitUsage;
    }
    httplib::Server server;
    // Scrapes are serialised: two at once would only read the kernel twice.
    auto lock = std::make_shared<std::mutex>();
    server.Get("/metrics", [&opt, lock](const httplib::Request&, httplib::Response& res) {
        std::lock_guard guard(*lock);
        auto text = snapshot(opt);
        if (!text) {
            res.status = 500;
            res.set_content(text.error().str() + "\n", "text/plain; charset=utf-8");
            return;
        }
        res.set_content(*text, "text/plain; version=0.0.4; charset=utf-8");
    });
    server.Get("/", [](const httplib::Request&, httplib::Response& res) {
        res.set_content("vpngw metrics: see /metrics\n", "text/plain; charset=utf-8");
    });
    if (!server.bind_to_port(where->host, where->port)) {
        std::fprintf(stderr, "error: cannot listen on %s\n", opt.listen.c_str());
        return kExitFailure;
    }
    std::fprintf(stderr, "serving metrics on http://%s/metrics\n", opt.listen.c_str());
    return server.listen_after_bind() ? kExitOk : kExitFailure;
}

int run_metrics(const MetricsOptions& opt) {
    if (!opt.listen.empty()) return serve(opt);
    auto text = snapshot(opt);
    if (!text) {
        print_error(text.error());
        return kExitFailure;
    }
    // Atomic: node_exporter must never read a half-written file. 0644: the
    // collector runs as another user, and the file holds no secrets.
    return print_or_write(*text, opt.output, 0644);
}

}  // namespace

std::vector<Command> metrics_commands() {
    auto opt = std::make_shared<MetricsOptions>();
    auto options = gateway_options(opt->gateway, "/etc/vpngw/vpngw.toml");
    options.push_back({.names = "--listen",
                       .target = &opt->listen,
                       .help = "Serve /metrics over HTTP on ADDR:PORT instead of printing"});
    options.push_back({.names = "-o,--output",
                       .target = &opt->output,
                       .help = "Write to FILE atomically (node_exporter's textfile collector)",
                       .excludes = "--listen"});
    options.push_back(
        {.names = "--no-drift",
         .target = &opt->no_drift,
         .help = "Skip comparing the kernel with the profile (cheaper on large gateways)"});
    return {{
        .name = "metrics",
        .help = "Prometheus metrics: peers, groups, conntrack, drops, the last apply",
        .footer = "Example:\n  vpngw metrics /etc/vpngw/office.toml\n"
                  "  vpngw metrics /etc/vpngw/office.toml -o "
                  "/var/lib/prometheus/node-exporter/vpngw.prom\n"
                  "  vpngw metrics /etc/vpngw/office.toml --listen 127.0.0.1:9586",
        .options = std::move(options),
        .action = [opt] { return run_metrics(*opt); },
    }};
}

}  // namespace vpngw::cli
