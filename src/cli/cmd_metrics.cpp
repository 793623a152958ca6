#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/gateway_options.hpp"
#include "cli/metrics_server.hpp"
#include "cli/metrics_text.hpp"
#include "cli/print.hpp"
#include "gateway/status.hpp"

namespace vpngw::cli {

namespace {

struct MetricsOptions {
    gateway::Options gateway;
    std::string listen;  // ADDR:PORT
    MetricsServerOptions server;
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

int serve(const MetricsOptions& opt) {
    auto where = parse_listen(opt.listen);
    if (!where) {
        print_error(where.error());
        return kExitUsage;
    }
    MetricsServerOptions server = opt.server;
    server.server.listen = *where;
    auto st = serve_metrics(server, [&opt] { return snapshot(opt); });
    print_error(st.error());  // serve_metrics returns only when it cannot start
    return kExitFailure;
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
                       .help = "Serve /metrics over HTTP on ADDR:PORT instead of printing (:PORT "
                               "is 127.0.0.1; 0.0.0.0:PORT for every address)"});
    options.push_back({.names = "--token-file",
                       .target = &opt->server.token_file,
                       .help = "Require 'Authorization: Bearer TOKEN', TOKEN being the file's one "
                               "line",
                       .needs = {"--listen"}});
    options.push_back({.names = "--tls-cert",
                       .target = &opt->server.server.tls_cert,
                       .help = "Serve HTTPS with this PEM certificate chain",
                       .needs = {"--listen", "--tls-key"}});
    options.push_back({.names = "--tls-key",
                       .target = &opt->server.server.tls_key,
                       .help = "The PEM key of --tls-cert",
                       .needs = {"--listen", "--tls-cert"}});
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
                  "  vpngw metrics /etc/vpngw/office.toml --listen 127.0.0.1:9586\n"
                  "  vpngw metrics /etc/vpngw/office.toml --listen 0.0.0.0:9586 --token-file "
                  "/etc/vpngw/metrics.token \\\n"
                  "      --tls-cert /etc/vpngw/metrics.crt --tls-key /etc/vpngw/metrics.key",
        .options = std::move(options),
        .action = [opt] { return run_metrics(*opt); },
    }};
}

}  // namespace vpngw::cli
