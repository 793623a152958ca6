#include "api/guard.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>

namespace vpngw::api {

void FailureLimiter::refill(Bucket& b, std::int64_t now) const {
    if (now > b.updated) {
        b.tokens = std::min<double>(burst_, b.tokens + double(now - b.updated) / refill_);
        b.updated = now;
    }
}

std::int64_t FailureLimiter::blocked_for(const std::string& address, std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(address);
    if (it == buckets_.end()) return 0;
    refill(it->second, now);
    if (it->second.tokens >= 1) return 0;
    return std::max<std::int64_t>(
        1, static_cast<std::int64_t>((1 - it->second.tokens) * refill_ + 0.999));
}

void FailureLimiter::failed(const std::string& address, std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(address);
    if (it == buckets_.end()) {
        if (buckets_.size() >= max_) {
            // Full: forget addresses whose bucket is full again (they are
            // back where a new address starts); if none, the oldest one.
            std::erase_if(buckets_, [&](const auto& kv) {
                Bucket b = kv.second;
                refill(b, now);
                return b.tokens >= burst_;
            });
            if (buckets_.size() >= max_)
                buckets_.erase(std::min_element(
                    buckets_.begin(), buckets_.end(),
                    [](auto& a, auto& b) { return a.second.updated < b.second.updated; }));
        }
        it = buckets_.emplace(address, Bucket{double(burst_), now}).first;
    }
    refill(it->second, now);
    it->second.tokens = std::max(0.0, it->second.tokens - 1);
}

NewSession SessionTable::create(const TokenInfo& token, std::int64_t now) {
    NewSession out;
    out.id = random_secret();
    out.csrf = random_secret();
    out.session = BrowserSession{token.id, token.scope, now + kLifetime, now + kIdle,
                                 secret_hash(out.csrf.view())};
    std::lock_guard lock(mutex_);
    std::erase_if(sessions_,
                  [&](auto& kv) { return now >= kv.second.expires || now >= kv.second.idle_end; });
    if (sessions_.size() >= kMax)  // the one closest to its end makes room
        sessions_.erase(std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
            return a.second.idle_end < b.second.idle_end;
        }));
    sessions_[secret_hash(out.id.view())] = out.session;
    return out;
}

std::optional<BrowserSession> SessionTable::find(std::string_view id, std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(secret_hash(id));
    if (it == sessions_.end()) return std::nullopt;
    if (now >= it->second.expires || now >= it->second.idle_end) {
        sessions_.erase(it);
        return std::nullopt;
    }
    it->second.idle_end = std::min(it->second.expires, now + kIdle);
    return it->second;
}

void SessionTable::remove(std::string_view id) {
    std::lock_guard lock(mutex_);
    sessions_.erase(secret_hash(id));
}

bool secret_matches(std::string_view sent, const std::string& want_hash) {
    const std::string got = secret_hash(sent);
    return got.size() == want_hash.size() &&
           sodium_memcmp(got.data(), want_hash.data(), got.size()) == 0;
}

}  // namespace vpngw::api
