#include "wg/types.hpp"

namespace vpngw::wg {

const ObservedPeer* ObservedDevice::find_peer(const PublicKey& key) const {
    for (const auto& p : peers)
        if (p.public_key == key) return &p;
    return nullptr;
}

}  // namespace vpngw::wg
