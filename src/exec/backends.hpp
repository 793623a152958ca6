#pragma once

#include <map>
#include <memory>
#include <string>

#include "model/profile.hpp"
#include "wg/userspace_options.hpp"
#include "wg/write/backend.hpp"

namespace vpngw::exec {

// The WireGuard backend of each interface, chosen once per run from the
// profile's `backend` (auto: the kernel module when there is one).
class Backends {
  public:
    explicit Backends(wg::UserspaceOptions userspace = {}) : userspace_(std::move(userspace)) {}

    wg::WgBackend& for_interface(const std::string& ifname, model::Backend choice);

  private:
    wg::UserspaceOptions userspace_;
    std::map<std::string, std::unique_ptr<wg::WgBackend>> by_ifname_;
};

}  // namespace vpngw::exec
