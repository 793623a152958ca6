#include "image/state_dir.hpp"

#include "escape/escape.hpp"

namespace vpngw::image {

Result<std::vector<MachineFile>> state_dir_files(const model::Profile& profile) {
    const auto& dir = profile.gateway.state_dir;
    if (dir == model::Gateway{}.state_dir) return std::vector<MachineFile>{};
    auto path = escape::systemd_path(dir);
    if (!path)
        return Error{"state_dir " + escape::visible(dir) + " cannot be written into a systemd " +
                         "unit; " + escape::kSafePathRule,
                     profile.gateway.origin.at("state_dir")};
    const auto& name = profile.gateway.name;
    return std::vector<MachineFile>{
        {"/etc/systemd/system/vpngw@" + name + ".service.d/state-dir.conf",
         "# The profile's state_dir, writable despite ProtectSystem=strict.\n"
         "[Service]\nReadWritePaths=" +
             *path + "\n"},
        {"/etc/tmpfiles.d/vpngw-state.conf", "d " + *path + " 0700 root root -\n"},
    };
}

}  // namespace vpngw::image
