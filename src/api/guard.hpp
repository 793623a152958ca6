#pragma once

// What stands between a request and the gateway besides the token check: a
// limit on failed authentication per client address, and the browser
// sessions of the web page (cookie + CSRF token). Both live in memory only:
// a restart logs everyone out and forgets the failures, nothing more.

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "api/store.hpp"
#include "util/secret_text.hpp"

namespace vpngw::api {

// A token bucket per client address: `burst` failures at once, then one more
// every `refill_seconds`. Only failures take tokens; a blocked address gets
// 429 before its credentials are even looked at, so it learns nothing more.
class FailureLimiter {
  public:
    FailureLimiter(int burst = 10, int refill_seconds = 6, std::size_t max_addresses = 4096)
        : burst_(burst), refill_(refill_seconds), max_(max_addresses) {}

    // Seconds until `address` may try again; 0: it may now.
    std::int64_t blocked_for(const std::string& address, std::int64_t now);
    void failed(const std::string& address, std::int64_t now);

  private:
    struct Bucket {
        double tokens = 0;
        std::int64_t updated = 0;
    };
    void refill(Bucket& b, std::int64_t now) const;

    std::mutex mutex_;
    int burst_;
    int refill_;
    std::size_t max_;
    std::map<std::string, Bucket> buckets_;
};

struct BrowserSession {
    std::int64_t token_id = 0;
    Scope scope = Scope::read;
    std::int64_t expires = 0;   // absolute: a session never outlives this
    std::int64_t idle_end = 0;  // moved forward by each request
    std::string csrf_hash;      // of the CSRF token the page sends back
};

struct NewSession {
    SecretText id;    // the cookie value
    SecretText csrf;  // for the page's X-CSRF-Token header
    BrowserSession session;
};

class SessionTable {
  public:
    static constexpr std::int64_t kLifetime = 8 * 3600;
    static constexpr std::int64_t kIdle = 3600;
    static constexpr std::size_t kMax = 1024;

    NewSession create(const TokenInfo& token, std::int64_t now);
    // The live session with this cookie value (its idle deadline moved on).
    std::optional<BrowserSession> find(std::string_view id, std::int64_t now);
    void remove(std::string_view id);

  private:
    std::mutex mutex_;
    std::map<std::string, BrowserSession> sessions_;  // by hash of the cookie value
};

// Whether `sent` is the secret whose hash is `want_hash`, in constant time.
bool secret_matches(std::string_view sent, const std::string& want_hash);

}  // namespace vpngw::api
