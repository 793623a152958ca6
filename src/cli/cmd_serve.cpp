// `vpngw serve`: the REST API and web page (api/) over the slow-client-proof
// HTTP(S) server (http/). This file decides what may be served how (TLS or
// an explicit --insecure off loopback) and prints the one log line per request.

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "api/api.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/gateway_options.hpp"
#include "cli/print.hpp"
#include "http/server.hpp"

namespace vpngw::cli {
namespace {

struct ServeOptions {
    gateway::Options gateway;
    std::string listen = "127.0.0.1:8443";
    std::string tls_cert;
    std::string tls_key;
    bool insecure = false;
};

int run_serve(const ServeOptions& opt) {
    auto where = http::parse_listen(opt.listen);
    if (!where) {
        print_error(where.error());
        return kExitUsage;
    }
    const bool tls = !opt.tls_cert.empty();
    // Tokens and configs (private keys) cross this connection: in clear text
    // only where nobody else can listen, unless the admin says otherwise.
    if (!tls && !http::is_loopback(where->host) && !opt.insecure) {
        std::fprintf(stderr,
                     "error: --listen %s is reachable from the network: serve it with --tls-cert "
                     "and --tls-key, or say --insecure (tokens and private keys would cross it "
                     "in clear text)\n",
                     opt.listen.c_str());
        return kExitUsage;
    }
    auto log_mutex = std::make_shared<std::mutex>();
    api::ApiOptions ao;
    ao.gateway = opt.gateway;
    ao.log = [log_mutex](const std::string& line) {
        std::lock_guard lock(*log_mutex);
        std::fprintf(stderr, "%s\n", line.c_str());
    };
    auto api = api::Api::open(ao);
    if (!api) {
        print_error(api.error());
        return kExitFailure;
    }
    http::ServerOptions so;
    so.listen = *where;
    so.tls_cert = opt.tls_cert;
    so.tls_key = opt.tls_key;
    so.max_body = 64 * 1024;
    so.workers = 4;
    so.max_ready = 256;    // a burst of API clients queues instead of getting 503
    so.max_waiting = 256;  // heads still arriving; the oldest is dropped for a newcomer
    auto server = http::Server::open(so);
    if (!server) {
        print_error(server.error());
        return kExitFailure;
    }
    std::fprintf(stderr, "serving the vpngw API and page on %s://%s:%d/%s\n",
                 tls ? "https" : "http", where->host.c_str(), server->port(),
                 !tls && !http::is_loopback(where->host) ? " (insecure: no TLS)" : "");
    std::fflush(stderr);
    api::Api& handler = **api;
    server->run([&handler](const http::Request& req) { return handler.handle(req); });
}

}  // namespace

std::vector<Command> serve_commands() {
    auto opt = std::make_shared<ServeOptions>();
    auto options = gateway_options(opt->gateway, "/etc/vpngw/vpngw.toml");
    options.push_back({.names = "--listen",
                       .target = &opt->listen,
                       .help = "ADDR:PORT to serve on (:PORT is 127.0.0.1)",
                       .show_default = true});
    options.push_back({.names = "--tls-cert",
                       .target = &opt->tls_cert,
                       .help = "Serve HTTPS with this PEM certificate chain",
                       .needs = {"--tls-key"}});
    options.push_back({.names = "--tls-key",
                       .target = &opt->tls_key,
                       .help = "The PEM key of --tls-cert",
                       .needs = {"--tls-cert"}});
    options.push_back({.names = "--insecure",
                       .target = &opt->insecure,
                       .help = "Allow plain HTTP on an address other than loopback"});
    return {{
        .name = "serve",
        .help = "The REST API (/api/v1) and the web page for peers",
        .footer = "Examples:\n  vpngw token create --scope write --name admin\n"
                  "  vpngw serve /etc/vpngw/vpngw.toml\n"
                  "  vpngw serve /etc/vpngw/vpngw.toml --listen 0.0.0.0:8443 \\\n"
                  "      --tls-cert /etc/vpngw/api.crt --tls-key /etc/vpngw/api.key",
        .options = std::move(options),
        .action = [opt] { return run_serve(*opt); },
    }};
}

}  // namespace vpngw::cli
