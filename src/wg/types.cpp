#include "wg/types.hpp"

#include "wg/backend.hpp"

namespace vpngw::wg {

WgBackend::~WgBackend() = default;

const ObservedPeer* ObservedDevice::find_peer(const PublicKey& key) const {
    for (const auto& p : peers)
        if (p.public_key == key) return &p;
    return nullptr;
}

}  // namespace vpngw::wg
