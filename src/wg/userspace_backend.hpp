#pragma once

// WireGuard in userspace: one wireguard-go daemon per interface, configured
// over its UAPI unix socket. Used where the kernel has no WireGuard module.

#include <sys/types.h>

#include <chrono>
#include <string>

#include "wg/backend.hpp"
#include "util/unique_fd.hpp"

namespace vpngw::wg {

struct UserspaceOptions {
    std::string binary = "wireguard-go";            // looked up in PATH when it has no '/'
    std::string socket_dir = "/var/run/wireguard";  // where wireguard-go puts IFNAME.sock
    std::chrono::milliseconds start_timeout{10000};
    std::chrono::milliseconds stop_timeout{5000};
    std::chrono::milliseconds io_timeout{120000};  // a 50,000-peer set takes seconds
};

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
