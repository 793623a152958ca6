#include "txn/sysctl_baseline.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "store/atomic_file.hpp"

namespace vpngw::txn {

Status record_sysctl_baseline(const store::StatePaths& paths,
                              const std::vector<state::Sysctl>& current) {
    auto existing = store::read_file_if_exists(paths.sysctl_baseline_file());
    if (!existing) return existing.error();
    if (*existing) return ok_status();
    if (auto st = store::ensure_private_dir(paths.dir); !st) return st;
    std::string text = "# sysctl values before vpngw changed them; `vpngw down` restores them\n";
    for (const auto& s : current) text += s.key + " = " + s.value + "\n";
    return store::atomic_write_file(paths.sysctl_baseline_file(), text, 0600);
}

Result<std::vector<state::Sysctl>> load_sysctl_baseline(const store::StatePaths& paths) {
    auto text = store::read_file_if_exists(paths.sysctl_baseline_file());
    if (!text) return text.error();
    std::vector<state::Sysctl> out;
    if (!*text) return out;
    std::istringstream in(**text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty() || line[0] == '#') continue;
        auto eq = line.find(" = ");
        if (eq == std::string::npos)
            return Error{"malformed line", {paths.sysctl_baseline_file(), number, 1}};
        out.push_back({line.substr(0, eq), line.substr(eq + 3)});
    }
    return out;
}

Status forget_sysctl_baseline(const store::StatePaths& paths) {
    if (::unlink(paths.sysctl_baseline_file().c_str()) != 0 && errno != ENOENT)
        return Error{"removing " + paths.sysctl_baseline_file() + ": " + std::strerror(errno)};
    return ok_status();
}

}  // namespace vpngw::txn
