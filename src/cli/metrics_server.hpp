#pragma once

// `vpngw metrics --listen`: /metrics over the slow-client-proof HTTP(S)
// server of http/server.hpp. Every request must carry `Authorization: Bearer
// TOKEN` when a token is set (compared in constant time, never logged).

#include <functional>
#include <string>

#include "http/server.hpp"
#include "util/result.hpp"

namespace vpngw::cli {

using http::ListenAddress;
using http::parse_listen;

struct MetricsServerOptions {
    http::ServerOptions server;  // listen, TLS, timeouts
    std::string token_file;      // empty: no authentication
};

// Produces the body of one scrape (text exposition format).
using MetricsSource = std::function<Result<std::string>()>;

// Serves /metrics until the process ends; an error when it cannot start
// (address in use, unreadable token or certificate).
Status serve_metrics(const MetricsServerOptions& options, MetricsSource source);

}  // namespace vpngw::cli
