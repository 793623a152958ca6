#include "wg/write/select_backend.hpp"

#include <sys/utsname.h>

#include <fstream>
#include <string>

#include "wg/write/kernel_backend.hpp"

namespace vpngw::wg {

WgBackend::~WgBackend() = default;

namespace {

// A module that is not loaded yet registers its family only when the first
// link of kind "wireguard" is created (the kernel autoloads it then). Rather
// than create a probe link on a production box, look for the module file.
bool wireguard_module_installed() {
    utsname u{};
    if (uname(&u) != 0) return false;
    std::ifstream deps(std::string("/lib/modules/") + u.release + "/modules.dep");
    std::string line;
    while (std::getline(deps, line)) {
        auto colon = line.find(':');
        std::string_view path(line.data(), colon == std::string::npos ? line.size() : colon);
        if (path.ends_with("/wireguard.ko") ||
            path.find("/wireguard.ko.") != std::string_view::npos)
            return true;
    }
    return false;
}

}  // namespace

bool kernel_has_wireguard() {
    return resolve_wireguard_family().ok() || wireguard_module_installed();
}

std::unique_ptr<WgBackend> select_backend(model::Backend choice,
                                          const UserspaceOptions& userspace) {
    switch (choice) {
        case model::Backend::kernel:
            return std::make_unique<KernelBackend>();
        case model::Backend::userspace:
            return std::make_unique<UserspaceBackend>(userspace);
        case model::Backend::automatic:
            break;
    }
    if (kernel_has_wireguard()) return std::make_unique<KernelBackend>();
    return std::make_unique<UserspaceBackend>(userspace);
}

}  // namespace vpngw::wg
