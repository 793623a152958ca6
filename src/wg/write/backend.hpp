#pragma once

// One interface for both ways of running WireGuard: the kernel module
// (generic netlink) and wireguard-go (UAPI over a unix socket). Callers pick
// one with select_backend() and never learn which it was beyond name().

#include <string>

#include "util/result.hpp"
#include "wg/types.hpp"

namespace vpngw::wg {

class WgBackend {
  public:
    virtual ~WgBackend();

    virtual std::string name() const = 0;  // "kernel" / "userspace"
    // Makes the interface exist (down, without addresses); an error if it already does.
    virtual Status create(const std::string& ifname) = 0;
    virtual Status destroy(const std::string& ifname) = 0;
    virtual bool exists(const std::string& ifname) = 0;
    virtual Result<ObservedDevice> get(const std::string& ifname) = 0;
    virtual Status set(const std::string& ifname, const DeviceConfig& cfg) = 0;
};

}  // namespace vpngw::wg
