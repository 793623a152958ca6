#pragma once

// The HTTP/JSON API and web page of `vpngw serve`, as one function from a
// request to a response: routing (routes.hpp), authentication (API tokens
// from api.db, browser sessions with a CSRF token, a limit on failures),
// then the same gateway calls the CLI makes (gateway/peers.hpp,
// gateway/status.hpp), each change under the state lock like `vpngw peer
// add`. Nothing here prints: the one log line per request goes to
// `ApiOptions::log`, and holds no secret (the route's pattern, never a
// one-time link's path; never a token or a config).

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "api/guard.hpp"
#include "api/store.hpp"
#include "gateway/peers_live.hpp"
#include "gateway/session.hpp"
#include "http/server.hpp"
#include "util/result.hpp"

namespace vpngw::api {

struct ApiOptions {
    gateway::Options gateway;
    // The running gateway for one request (tests pass a fake).
    std::function<std::unique_ptr<gateway::LiveGateway>()> live;
    std::function<std::int64_t()> clock;          // unix seconds; default: the system clock
    std::function<void(const std::string&)> log;  // one line per request; default: none
    // Failed authentications per client address: `burst` at once, then one
    // per `refill_seconds`.
    int failure_burst = 10;
    int failure_refill_seconds = 6;
};

class Api {
  public:
    // Opens <state_dir>/api.db (the profile's state directory).
    static Result<std::unique_ptr<Api>> open(ApiOptions options);

    http::Response handle(const http::Request& request);

    // The OpenAPI 3 document served at /api/v1/openapi.json.
    static std::string_view openapi_document();

  private:
    Api(ApiOptions options, Store store)
        : options_(std::move(options)),
          store_(std::move(store)),
          failures_(options_.failure_burst, options_.failure_refill_seconds) {}
    struct Caller;
    class Handlers;
    friend class Handlers;
    std::optional<http::Response> authenticate(const http::Request& request, std::int64_t now,
                                               Caller& caller);

    ApiOptions options_;
    std::mutex store_mutex_;  // one SQLite connection, one user at a time
    Store store_;
    std::mutex change_mutex_;  // this process's changes take turns before the state lock
    FailureLimiter failures_;
    SessionTable sessions_;
};

// The state directory `options` lead to (the profile's or --state-dir).
Result<std::string> state_dir_of(const gateway::Options& options);

}  // namespace vpngw::api
