#pragma once

#include <functional>
#include <string>
#include <vector>

#include "gateway/session.hpp"
#include "ops/op.hpp"
#include "util/result.hpp"

namespace vpngw::gateway {

struct ChangeReport {
    std::vector<ops::Op> ops;  // what was (or, for plan, would be) done
    bool applied = false;
};

using Progress = std::function<void(const ops::Op&)>;

// `vpngw plan`: the operations `up` would run now. Reads the kernel, writes nothing.
Result<ChangeReport> plan_up(Session& session);

// `vpngw up`: reconciles the kernel with the profile; applies only the
// difference, or nothing when the kernel already matches.
Result<ChangeReport> up(Session& session, const Progress& progress = {});

// `vpngw down`: removes what vpngw created for the profile and restores the
// sysctls it changed.
Result<ChangeReport> down(Session& session, const Progress& progress = {});

}  // namespace vpngw::gateway
