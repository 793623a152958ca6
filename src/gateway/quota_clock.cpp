#include "gateway/quota_clock.hpp"

#include <algorithm>

#include "exec/quota_reset.hpp"
#include "plan/quota_periods.hpp"

namespace vpngw::gateway {

Result<std::vector<std::string>> QuotaClock::tick(const model::Profile& profile,
                                                  std::chrono::sys_seconds now) {
    auto due = plan::quotas_due(profile.peers, last_, now);
    if (auto st = exec::reset_quotas(due); !st) return st.error();
    last_ = std::max(last_, now);
    return due;
}

bool has_quotas(const model::Profile& profile) {
    return std::any_of(profile.peers.begin(), profile.peers.end(),
                       [](const model::Peer& p) { return p.quota && !p.disabled; });
}

}  // namespace vpngw::gateway
