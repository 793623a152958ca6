#pragma once

// The monitor's part in quotas (issue 17): at the start of each peer's
// quota period (day, week, month; UTC) its quota object is reset in place,
// and nothing else. The clock starts when the monitor does: a period that
// began while no monitor ran was restarted by the `up` that created the
// objects, or is restarted at the next boundary.

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
    Result<std::vector<std::string>> tick(const model::Profile& profile,
                                          std::chrono::sys_seconds now);

  private:
    std::chrono::sys_seconds last_;
};

// Whether any enabled peer of the profile has a quota.
bool has_quotas(const model::Profile& profile);

}  // namespace vpngw::gateway
