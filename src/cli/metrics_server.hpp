#pragma once

// The HTTP(S) server behind `vpngw metrics --listen`. cpp-httplib answers
// the requests, but does not accept or read them: httplib gives each
// connection a pool thread that blocks on the socket, so a handful of slow
// clients starve every scrape. Here one thread accepts and reads request
// heads for every connection at once (non-blocking, poll), with a deadline
// for the whole head, a size cap and a cap on waiting connections (the
// oldest is dropped for a newcomer); only a complete head reaches a worker.
// Every request must carry `Authorization: Bearer TOKEN` when a token is set
// (compared in constant time, never logged).

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vpngw::cli {

struct ListenAddress {
    std::string host;
    int port = 0;
};

// "127.0.0.1:9586", "[::1]:9586", "0.0.0.0:9586" (every address, said
// explicitly); a bare ":9586" means loopback, never every address.
Result<ListenAddress> parse_listen(std::string_view text);

struct MetricsServerOptions {
    ListenAddress listen;
    std::string token_file;  // empty: no authentication
    std::string tls_cert;    // both or neither: HTTPS with this chain and key
    std::string tls_key;
    std::size_t max_waiting = 64;                    // connections still sending their head
    std::chrono::milliseconds head_timeout{5000};    // for the whole request head
    std::chrono::milliseconds write_timeout{10000};  // for the whole response
};

// Produces the body of one scrape (text exposition format).
using MetricsSource = std::function<Result<std::string>()>;

// Serves /metrics until the process ends; an error when it cannot start
// (address in use, unreadable token or certificate).
Status serve_metrics(const MetricsServerOptions& options, MetricsSource source);

}  // namespace vpngw::cli
