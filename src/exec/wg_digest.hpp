#pragma once

// A digest of what the diff compares of a WireGuard device (ops/diff.cpp):
// its listen port, fwmark and the public key of its private key, and each
// peer's public key, allowed IPs and keepalive (state::WgPeer::operator==).
// Endpoints, handshakes and transfer figures are left out: they change with
// traffic, and the diff ignores them too. Two devices with equal digests get
// no WireGuard operation from the diff, so `up` and `status` can compare the
// device as read with the digest of the plan recorded by the last `up`
// (gateway/noop_proof.hpp) instead of planning every peer again.
//
// The peers are combined as a multiset (a sum of 128-bit SipHash values and
// a count), because a device lists them in no fixed order: the digest streams
// and never sorts. A collision needs two different peer sets whose sums agree
// in 128 bits: not a concern for detecting changes (nobody gains anything by
// forging one; whoever can change the device can change the profile).

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "ops/observed.hpp"
#include "state/kernel_state.hpp"
#include "util/ip.hpp"
#include "util/key.hpp"
#include "wg/types.hpp"

namespace vpngw::exec {

class WgDigest {
  public:
    // `public_key`: of the device's private key; none while it has none.
    WgDigest(std::uint16_t listen_port, std::uint32_t fwmark,
             const std::optional<PublicKey>& public_key);
    // `allowed_ips` in any order.
    void add_peer(const PublicKey& key, std::span<const Prefix> allowed_ips, int keepalive);
    // 64 lower-case hex digits.
    std::string hex() const;

  private:
    std::uint16_t listen_port_;
    std::uint32_t fwmark_;
    std::optional<PublicKey> public_key_;
    std::uint64_t peers_ = 0;
    std::array<std::uint64_t, 2> sum_{};  // two lanes, each modulo 2^64
};

// What the plan wants of a device, with the public key of its key file.
std::string wg_digest(const state::WgDevice& want, const PublicKey& public_key);
// A device as observe() or a listing read it.
std::string wg_digest(const ops::WgObserved& have);
std::string wg_digest(const wg::ObservedDevice& have);

}  // namespace vpngw::exec
