#include "gateway/quota_clock.hpp"

#include <algorithm>

#include "exec/quota_reset.hpp"
#include "plan/quota_periods.hpp"

namespace vpngw::gateway {

Result<std::vector<std::string>> QuotaClock::tick(const std::vector<model::Peer>& peers,
                                                  std::chrono::sys_seconds now) {
    auto due = plan::quotas_due(peers, last_, now);
    if (auto st = exec::reset_quotas(due); !st) return st.error();
    last_ = std::max(last_, now);
    return due;
}

std::vector<model::Peer> peers_with_quotas(const model::Profile& profile) {
    std::vector<model::Peer> out;
    for (const auto& p : profile.peers)
        if (p.quota && !p.disabled) out.push_back(p);
    return out;
}

}  // namespace vpngw::gateway
