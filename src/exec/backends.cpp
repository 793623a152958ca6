#include "exec/backends.hpp"

#include "wg/write/select_backend.hpp"

namespace vpngw::exec {

wg::WgBackend& Backends::for_interface(const std::string& ifname, model::Backend choice) {
    auto& slot = by_ifname_[ifname];
    if (!slot) slot = wg::select_backend(choice, userspace_);
    return *slot;
}

}  // namespace vpngw::exec
