#pragma once

// The monitor's part in quotas (issue 17): at the start of each peer's
// quota period (day, week, month; UTC) its quota object is reset in place,
// and nothing else. The clock starts when the monitor does: a period that
// began while no monitor ran was restarted by the `up` that created the
// objects, or is restarted at the next boundary. The peers are those of the
// profile and registry as they are now: the monitor reads them again when
// their files changed (quota_watch.hpp), so a quota added or changed after it
// started is reset on its period too.

#include <chrono>
#include <string>
#include <vector>

#include "model/profile.hpp"
#include "util/result.hpp"

namespace vpngw::gateway {

class QuotaClock {
  public:
    explicit QuotaClock(std::chrono::sys_seconds start) : last_(start) {}

    // Resets the quotas whose period started since the previous call (or the
    // start); returns their objects' names. On failure the same boundary is
    // tried again at the next call.
    Result<std::vector<std::string>> tick(const std::vector<model::Peer>& peers,
                                          std::chrono::sys_seconds now);

  private:
    std::chrono::sys_seconds last_;
};

// The enabled peers of the profile (merged: the registry's too) that have a
// quota: all the monitor keeps between reloads (quota_watch.hpp).
std::vector<model::Peer> peers_with_quotas(const model::Profile& profile);

}  // namespace vpngw::gateway
