#pragma once

// Picks the WireGuard backend for an interface: the kernel module when the
// kernel has one, wireguard-go otherwise.

#include <memory>

#include "model/profile.hpp"
#include "wg/write/backend.hpp"
#include "wg/write/userspace_backend.hpp"

namespace vpngw::wg {

// Whether the kernel speaks WireGuard: the "wireguard" generic netlink family
// resolves (it appears once the module is loaded or built in).
bool kernel_has_wireguard();

// automatic → kernel when kernel_has_wireguard(), else userspace.
std::unique_ptr<WgBackend> select_backend(model::Backend choice,
                                          const UserspaceOptions& userspace = {});

}  // namespace vpngw::wg
