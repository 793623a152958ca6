#pragma once

// WireGuard in the kernel: links of kind "wireguard" configured over generic
// netlink (<linux/wireguard.h>), the way `wg` does it.

#include <cstddef>
#include <cstdint>

#include "wg/genl_message.hpp"
#include "wg/write/backend.hpp"

namespace vpngw::wg {

// The "wireguard" generic netlink family id, or an error saying the kernel
// has no WireGuard support.
Result<std::uint16_t> resolve_wireguard_family();

class KernelBackend : public WgBackend {
  public:
    explicit KernelBackend(std::size_t message_size = genl::kDefaultMessageSize)
        : message_size_(message_size) {}

    std::string name() const override { return "kernel"; }
    Status create(const std::string& ifname) override;
    Status destroy(const std::string& ifname) override;
    bool exists(const std::string& ifname) override;
    Result<ObservedDevice> get(const std::string& ifname) override;
    Status set(const std::string& ifname, const DeviceConfig& cfg) override;

  private:
    std::size_t message_size_;
};

}  // namespace vpngw::wg
