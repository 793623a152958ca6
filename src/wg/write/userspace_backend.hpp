#pragma once

// WireGuard in userspace: one wireguard-go daemon per interface, configured
// over its UAPI unix socket. Used where the kernel has no WireGuard module.

#include <sys/types.h>

#include <chrono>
#include <string>

#include "util/unique_fd.hpp"
#include "wg/userspace_options.hpp"
#include "wg/write/backend.hpp"

namespace vpngw::wg {

class UserspaceBackend : public WgBackend {
  public:
    explicit UserspaceBackend(UserspaceOptions options = {});

    std::string name() const override { return "userspace"; }
    Status create(const std::string& ifname) override;
    Status destroy(const std::string& ifname) override;
    bool exists(const std::string& ifname) override;
    Result<ObservedDevice> get(const std::string& ifname) override;
    Status set(const std::string& ifname, const DeviceConfig& cfg) override;

    std::string socket_path(const std::string& ifname) const;
    // The PID of the daemon serving `ifname` (SO_PEERCRED on its socket).
    Result<pid_t> daemon_pid(const std::string& ifname);

  private:
    Result<UniqueFd> connect(const std::string& ifname);

    UserspaceOptions opt_;
};

}  // namespace vpngw::wg
