#pragma once

// WireGuard generic netlink messages as bytes: building SET_DEVICE /
// GET_DEVICE / CTRL_CMD_GETFAMILY requests and parsing their replies, with no
// socket in sight, so every byte can be tested without the kernel module.

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "util/result.hpp"
#include "wg/types.hpp"

namespace vpngw::wg::genl {

// wireguard-tools' size: one page. Large peer lists are split to fit.
inline constexpr std::size_t kDefaultMessageSize = 4096;

// The bytes of one netlink message. Zeroed when destroyed: SET_DEVICE
// messages carry the private and preshared keys.
class Message {
  public:
    explicit Message(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}
    ~Message();
    Message(Message&&) noexcept = default;
    Message& operator=(Message&&) noexcept = default;
    Message(const Message&) = delete;
    Message& operator=(const Message&) = delete;

    const std::vector<std::uint8_t>& bytes() const { return bytes_; }
    const nlmsghdr* header() const { return reinterpret_cast<const nlmsghdr*>(bytes_.data()); }

  private:
    std::vector<std::uint8_t> bytes_;
};

struct Addressing {
    std::uint16_t family_id = 0;  // the "wireguard" genl family id
    std::uint32_t seq = 0;        // first sequence number; each message takes the next
    std::uint32_t portid = 0;
};

// WG_CMD_SET_DEVICE for `cfg`, split into as many messages of at most
// `max_size` bytes as needed. Device attributes and WGDEVICE_F_REPLACE_PEERS
// go in the first message only; a peer whose allowed-ips do not fit continues
// in the next message (public key + the remaining allowed-ips, without
// REPLACE_ALLOWEDIPS). Removals come before additions.
Result<std::vector<Message>> build_set_device(const std::string& ifname, const DeviceConfig& cfg,
                                              const Addressing& addr,
                                              std::size_t max_size = kDefaultMessageSize);

// WG_CMD_GET_DEVICE as a dump request for one interface.
Message build_get_device(const std::string& ifname, const Addressing& addr);

// CTRL_CMD_GETFAMILY for "wireguard" (family_id in `addr` is ignored).
Message build_get_family(const Addressing& addr);

// The family id from a CTRL_CMD_GETFAMILY reply.
Result<std::uint16_t> parse_family_id(const nlmsghdr* nlh);

// Collects the parts of a GET_DEVICE dump into one device. A peer whose
// allowed-ips did not fit one part continues as the first peer of the next.
class DeviceDumpParser {
  public:
    Status feed(const nlmsghdr* nlh);
    ObservedDevice& device() { return dev_; }

  private:
    ObservedDevice dev_;
};

}  // namespace vpngw::wg::genl
