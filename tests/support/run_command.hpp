#pragma once

#include <string>
#include <vector>

namespace vpngw::plan::testing {

struct CommandResult {
    int status = -1;     // exit status; -1 when it could not run or was killed
    std::string output;  // stdout and stderr together
};

// Runs argv[0] (searched in PATH) without a shell and waits for it.
CommandResult run_command(const std::vector<std::string>& argv);

}  // namespace vpngw::plan::testing
