#include "gateway/peers_live.hpp"

namespace vpngw::gateway {

std::unique_ptr<LiveGateway> system_gateway(const Options& options) {
    wg::UserspaceOptions userspace;
    userspace.binary = options.wireguard_go;
    return exec::system_live_peers(userspace);
}

}  // namespace vpngw::gateway
