#pragma once

// The WireGuard cross-platform userspace API (wireguard.com/xplatform): the
// text protocol wireguard-go speaks on /var/run/wireguard/IFNAME.sock.
// Formatting and parsing only; the socket lives in userspace_backend.

#include <functional>
#include <string_view>

#include "util/result.hpp"
#include "wg/types.hpp"

namespace vpngw::wg::uapi {

// Receives the request in chunks (bounded size, wiped after the call, so a
// 50,000-peer request never exists as one string and key material does not linger).
using Sink = std::function<Status(std::string_view chunk)>;

// Writes "set=1\n" ... "\n" for `cfg`. Fails before writing anything when the
// config cannot be expressed (an endpoint that is not a numeric address).
Status write_set_request(const DeviceConfig& cfg, const Sink& sink);

inline constexpr std::string_view kGetRequest = "get=1\n\n";

// Reads a get=1 response line by line, so a large device is parsed while it
// arrives. The private key line is consumed into a public key and wiped.
class GetParser {
  public:
    // One line without its '\n'. An empty line ends the response.
    Status feed_line(std::string_view line);
    bool done() const { return done_; }
    // The device, or the error the daemon reported (errno=N, N != 0).
    Result<ObservedDevice> finish();

  private:
    ObservedDevice dev_;
    ObservedPeer* peer_ = nullptr;
    int errno_ = 0;  // wireguard-go reports failures as negative errno values
    bool have_errno_ = false;
    bool done_ = false;
};

// Parses a whole get response (tests and small devices).
Result<ObservedDevice> parse_get_response(std::string_view text);

// Parses the "errno=N\n\n" answer to a set; N = 0 is success.
Result<int> parse_errno_response(std::string_view text);

}  // namespace vpngw::wg::uapi
