#pragma once

// How to run wireguard-go where the kernel has no WireGuard module: chosen by
// the command line (--wireguard-go) and handed down to exec/'s backends.

#include <chrono>
#include <string>

namespace vpngw::wg {

struct UserspaceOptions {
    std::string binary = "wireguard-go";            // looked up in PATH when it has no '/'
    std::string socket_dir = "/var/run/wireguard";  // where wireguard-go puts IFNAME.sock
    std::chrono::milliseconds start_timeout{10000};
    std::chrono::milliseconds stop_timeout{5000};
    std::chrono::milliseconds io_timeout{120000};  // a 50,000-peer set takes seconds
};

}  // namespace vpngw::wg
