#include "plan/quota_periods.hpp"

#include "plan/nft_parts.hpp"

namespace vpngw::plan {

std::vector<std::string> quotas_due(const std::vector<model::Peer>& peers,
                                    std::chrono::sys_seconds last, std::chrono::sys_seconds now) {
    std::vector<std::string> out;
    if (now <= last) return out;
    for (const auto& p : peers)
        if (p.quota && !p.disabled && model::period_start(p.quota->period, now) > last)
            out.push_back(nft::quota_object(p.name));
    return out;
}

}  // namespace vpngw::plan
