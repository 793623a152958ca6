#pragma once

// <state_dir>/health.tsv: what `vpngw monitor` last found, one uplink a line,
// replaced atomically so `up` and `status` never read half a file.
//   # vpngw health v1
//   wan0<TAB>up<TAB>0<TAB>12<TAB>1795412345<TAB>
//   (uplink, state, consecutive failures, consecutive successes, last probe
//    in unix seconds, last error)

#include <string>
#include <vector>

#include "health/state.hpp"
#include "util/result.hpp"

namespace vpngw::health {

// An absent file is no uplink known (all count as up).
Result<std::vector<UplinkHealth>> read_health_file(const std::string& path);
Status write_health_file(const std::string& path, const std::vector<UplinkHealth>& all);

}  // namespace vpngw::health
