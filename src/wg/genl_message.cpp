#include "wg/genl_message.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>
#include <netinet/in.h>
#include <sodium.h>

#include <cstring>

namespace vpngw::wg::genl {

namespace {

// Iterates netlink attributes in C++ (libmnl's macros assign from void*).
class Attrs {
  public:
    Attrs(const void* start, std::size_t len)
        : begin_(static_cast<const nlattr*>(start)), end_(static_cast<const char*>(start) + len) {}
    // The attributes after a fixed header of `offset` bytes; none when the
    // payload is shorter than that header (found by tests/fuzz/wg_genl_fuzz:
    // the length went negative and wrapped).
    static Attrs of(const nlmsghdr* nlh, std::size_t offset) {
        if (mnl_nlmsg_get_payload_len(nlh) < offset) return Attrs(mnl_nlmsg_get_payload(nlh), 0);
        const void* start = mnl_nlmsg_get_payload_offset(nlh, offset);
        const char* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
        return Attrs(start, static_cast<std::size_t>(tail - static_cast<const char*>(start)));
    }
    static Attrs nested(const nlattr* nest) {
        return Attrs(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest));
    }

    struct Iter {
        const nlattr* a;
        const char* end;
        bool operator!=(const Iter&) const {
            return mnl_attr_ok(a, static_cast<int>(end - reinterpret_cast<const char*>(a)));
        }
        void operator++() { a = mnl_attr_next(a); }
        const nlattr* operator*() const { return a; }
    };
    Iter begin() const { return {begin_, end_}; }
    Iter end() const { return {nullptr, end_}; }

  private:
    const nlattr* begin_;
    const char* end_;
};

}  // namespace

namespace {

// Room the first message needs for the header and every device attribute;
// smaller buffers could never make progress.
constexpr std::size_t kMinMessageSize = 256;

nlmsghdr* start_message(std::vector<std::uint8_t>& buf, std::uint16_t type, std::uint16_t flags,
                        std::uint8_t cmd, std::uint8_t version, const Addressing& addr,
                        std::uint32_t seq) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = flags;
    nlh->nlmsg_seq = seq;
    nlh->nlmsg_pid = addr.portid;
    auto* g = static_cast<genlmsghdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(genlmsghdr)));
    g->cmd = cmd;
    g->version = version;
    return nlh;
}

Message finish(std::vector<std::uint8_t>& buf, const nlmsghdr* nlh) {
    std::vector<std::uint8_t> out(buf.begin(), buf.begin() + nlh->nlmsg_len);
    sodium_memzero(buf.data(), buf.size());
    return Message(std::move(out));
}

// struct sockaddr_in / sockaddr_in6 for an endpoint, as the kernel wants it.
struct SockAddr {
    union {
        sockaddr_in v4;
        sockaddr_in6 v6;
    } u{};
    std::size_t len = 0;
};

Result<SockAddr> to_sockaddr(const Endpoint& e) {
    auto a = IpAddress::parse(e.host);
    if (!a) return Error{"endpoint " + e.str() + " is not a numeric address"};
    SockAddr s;
    if (a->is_v4()) {
        s.u.v4.sin_family = AF_INET;
        s.u.v4.sin_port = htons(e.port);
        std::memcpy(&s.u.v4.sin_addr, a->bytes.data(), 4);
        s.len = sizeof(sockaddr_in);
    } else {
        s.u.v6.sin6_family = AF_INET6;
        s.u.v6.sin6_port = htons(e.port);
        std::memcpy(&s.u.v6.sin6_addr, a->bytes.data(), 16);
        s.len = sizeof(sockaddr_in6);
    }
    return s;
}

// Writes as much of one peer as fits. Returns how far it got.
enum class Fit { none, partial, whole };

struct PeerWriter {
    nlmsghdr* nlh;
    std::size_t max;

    // `first_ip` > 0 continues a peer split across messages; `next_ip` gets
    // the index of the first allowed-ip not written.
    Fit write(const PeerConfig* p, const PublicKey& key, bool remove, const SockAddr* endpoint,
              std::size_t first_ip, std::size_t& next_ip) {
        nlattr* peer = mnl_attr_nest_start_check(nlh, max, 0);
        if (!peer) return Fit::none;
        auto give_up = [&] {
            mnl_attr_nest_cancel(nlh, peer);
            return Fit::none;
        };
        if (!mnl_attr_put_check(nlh, max, WGPEER_A_PUBLIC_KEY, 32, key.bytes.data()))
            return give_up();
        std::uint32_t flags = remove ? WGPEER_F_REMOVE_ME : 0;
        if (p && first_ip == 0) {
            if (p->replace_allowed_ips) flags |= WGPEER_F_REPLACE_ALLOWEDIPS;
            if (p->preshared_key &&
                !mnl_attr_put_check(nlh, max, WGPEER_A_PRESHARED_KEY, 32, p->preshared_key->data()))
                return give_up();
            if (endpoint &&
                !mnl_attr_put_check(nlh, max, WGPEER_A_ENDPOINT, endpoint->len, &endpoint->u))
                return give_up();
            if (p->keepalive &&
                !mnl_attr_put_u16_check(nlh, max, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
                                        *p->keepalive))
                return give_up();
        }
        if (flags && !mnl_attr_put_u32_check(nlh, max, WGPEER_A_FLAGS, flags)) return give_up();

        next_ip = first_ip;
        const std::size_t total = p ? p->allowed_ips.size() : 0;
        if (next_ip < total) {
            nlattr* ips = mnl_attr_nest_start_check(nlh, max, WGPEER_A_ALLOWEDIPS);
            if (!ips) return give_up();
            for (; next_ip < total; ++next_ip) {
                const Prefix net = p->allowed_ips[next_ip].network();
                nlattr* ip = mnl_attr_nest_start_check(nlh, max, 0);
                if (!ip) break;
                bool fits = mnl_attr_put_u16_check(nlh, max, WGALLOWEDIP_A_FAMILY,
                                                   net.addr.is_v4() ? AF_INET : AF_INET6) &&
                            mnl_attr_put_check(nlh, max, WGALLOWEDIP_A_IPADDR, net.addr.byte_len(),
                                               net.addr.bytes.data()) &&
                            mnl_attr_put_u8_check(nlh, max, WGALLOWEDIP_A_CIDR_MASK,
                                                  static_cast<std::uint8_t>(net.len));
                if (!fits) {
                    mnl_attr_nest_cancel(nlh, ip);
                    break;
                }
                mnl_attr_nest_end(nlh, ip);
            }
            // Not one allowed-ip fitted: the peer as a whole waits for the next message.
            if (next_ip == first_ip) return give_up();
            mnl_attr_nest_end(nlh, ips);
        }
        mnl_attr_nest_end(nlh, peer);
        return next_ip < total ? Fit::partial : Fit::whole;
    }
};

}  // namespace

Message::~Message() {
    if (!bytes_.empty()) sodium_memzero(bytes_.data(), bytes_.size());
}

Result<std::vector<Message>> build_set_device(const std::string& ifname, const DeviceConfig& cfg,
                                              const Addressing& addr, std::size_t max_size) {
    if (max_size < kMinMessageSize)
        return Error{"netlink message size " + std::to_string(max_size) + " is too small"};
    if (ifname.empty() || ifname.size() > 15)
        return Error{"interface name '" + ifname + "' must be 1 to 15 characters"};

    std::vector<SockAddr> endpoints(cfg.peers.size());
    for (std::size_t i = 0; i < cfg.peers.size(); ++i) {
        if (!cfg.peers[i].endpoint) continue;
        auto s = to_sockaddr(*cfg.peers[i].endpoint);
        if (!s) return s.error();
        endpoints[i] = *s;
    }

    // Work items: removals, then peers to add or update.
    const std::size_t n_remove = cfg.remove_peers.size();
    const std::size_t n_items = n_remove + cfg.peers.size();
    std::size_t item = 0, ip = 0;  // where the next message resumes

    std::vector<Message> out;
    std::vector<std::uint8_t> buf(max_size);
    do {
        std::fill(buf.begin(), buf.end(), 0);
        const bool first = out.empty();
        nlmsghdr* nlh =
            start_message(buf, addr.family_id, NLM_F_REQUEST | NLM_F_ACK, WG_CMD_SET_DEVICE,
                          WG_GENL_VERSION, addr, addr.seq + static_cast<std::uint32_t>(out.size()));
        mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname.c_str());
        if (first) {
            if (cfg.private_key)
                mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY, 32, cfg.private_key->data());
            if (cfg.listen_port) mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, *cfg.listen_port);
            if (cfg.fwmark) mnl_attr_put_u32(nlh, WGDEVICE_A_FWMARK, *cfg.fwmark);
            if (cfg.replace_peers)
                mnl_attr_put_u32(nlh, WGDEVICE_A_FLAGS, WGDEVICE_F_REPLACE_PEERS);
        }
        if (item < n_items) {
            nlattr* peers = mnl_attr_nest_start_check(nlh, max_size, WGDEVICE_A_PEERS);
            bool progressed = false;
            PeerWriter writer{nlh, max_size};
            while (peers && item < n_items) {
                const bool remove = item < n_remove;
                const PeerConfig* p = remove ? nullptr : &cfg.peers[item - n_remove];
                const PublicKey& key = remove ? cfg.remove_peers[item] : p->public_key;
                const SockAddr* ep = (p && p->endpoint) ? &endpoints[item - n_remove] : nullptr;
                std::size_t next_ip = 0;
                Fit fit = writer.write(p, key, remove, ep, ip, next_ip);
                if (fit == Fit::none) break;
                progressed = true;
                if (fit == Fit::partial) {
                    ip = next_ip;
                    break;
                }
                ++item;
                ip = 0;
            }
            if (!progressed && !first)
                return Error{"a WireGuard peer does not fit in a netlink message of " +
                             std::to_string(max_size) + " bytes"};
            if (peers) {
                if (progressed)
                    mnl_attr_nest_end(nlh, peers);
                else
                    mnl_attr_nest_cancel(nlh, peers);
            }
        }
        out.push_back(finish(buf, nlh));
    } while (item < n_items);
    return out;
}

Message build_get_device(const std::string& ifname, const Addressing& addr) {
    std::vector<std::uint8_t> buf(256 + ifname.size());
    nlmsghdr* nlh = start_message(buf, addr.family_id, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP,
                                  WG_CMD_GET_DEVICE, WG_GENL_VERSION, addr, addr.seq);
    mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname.c_str());
    return finish(buf, nlh);
}

Message build_get_family(const Addressing& addr) {
    std::vector<std::uint8_t> buf(256);
    nlmsghdr* nlh = start_message(buf, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY,
                                  1, addr, addr.seq);
    mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WG_GENL_NAME);
    return finish(buf, nlh);
}

Result<std::uint16_t> parse_family_id(const nlmsghdr* nlh) {
    for (const nlattr* attr : Attrs::of(nlh, sizeof(genlmsghdr))) {
        if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
            mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
            return mnl_attr_get_u16(attr);
    }
    return Error{"generic netlink reply without a family id"};
}

namespace {

Error malformed(const char* what) {
    return Error{std::string("malformed WireGuard netlink reply: ") + what};
}

bool payload_is(const nlattr* a, std::size_t len) {
    return mnl_attr_get_payload_len(a) == len;
}

Status parse_allowed_ip(const nlattr* nest, std::vector<Prefix>& out) {
    std::optional<std::uint16_t> family;
    const nlattr* addr_attr = nullptr;
    std::optional<std::uint8_t> cidr;
    for (const nlattr* a : Attrs::nested(nest)) {
        switch (mnl_attr_get_type(a)) {
            case WGALLOWEDIP_A_FAMILY:
                if (!payload_is(a, 2)) return malformed("allowed-ip family");
                family = mnl_attr_get_u16(a);
                break;
            case WGALLOWEDIP_A_IPADDR:
                addr_attr = a;
                break;
            case WGALLOWEDIP_A_CIDR_MASK:
                if (!payload_is(a, 1)) return malformed("allowed-ip mask");
                cidr = mnl_attr_get_u8(a);
                break;
        }
    }
    if (!family || !addr_attr || !cidr) return malformed("incomplete allowed-ip");
    Prefix p;
    if (*family == AF_INET && payload_is(addr_attr, 4) && *cidr <= 32) {
        p.addr.family = Family::v4;
    } else if (*family == AF_INET6 && payload_is(addr_attr, 16) && *cidr <= 128) {
        p.addr.family = Family::v6;
    } else {
        return malformed("allowed-ip address");
    }
    std::memcpy(p.addr.bytes.data(), mnl_attr_get_payload(addr_attr), p.addr.byte_len());
    p.len = *cidr;
    out.push_back(p);
    return ok_status();
}

Result<Endpoint> parse_endpoint(const nlattr* a) {
    const auto len = mnl_attr_get_payload_len(a);
    const void* data = mnl_attr_get_payload(a);
    sa_family_t family = 0;
    if (len >= sizeof(sa_family_t)) std::memcpy(&family, data, sizeof family);
    IpAddress ip;
    std::uint16_t port = 0;
    if (family == AF_INET && len == sizeof(sockaddr_in)) {
        sockaddr_in s;
        std::memcpy(&s, data, sizeof s);
        ip.family = Family::v4;
        std::memcpy(ip.bytes.data(), &s.sin_addr, 4);
        port = ntohs(s.sin_port);
    } else if (family == AF_INET6 && len == sizeof(sockaddr_in6)) {
        sockaddr_in6 s;
        std::memcpy(&s, data, sizeof s);
        ip.family = Family::v6;
        std::memcpy(ip.bytes.data(), &s.sin6_addr, 16);
        port = ntohs(s.sin6_port);
    } else {
        return malformed("endpoint");
    }
    return Endpoint{ip.str(), port};
}

Result<ObservedPeer> parse_peer(const nlattr* nest) {
    ObservedPeer peer;
    bool have_key = false;
    for (const nlattr* a : Attrs::nested(nest)) {
        switch (mnl_attr_get_type(a)) {
            case WGPEER_A_PUBLIC_KEY:
                if (!payload_is(a, 32)) return malformed("peer public key");
                std::memcpy(peer.public_key.bytes.data(), mnl_attr_get_payload(a), 32);
                have_key = true;
                break;
            case WGPEER_A_PRESHARED_KEY: {
                if (!payload_is(a, 32)) return malformed("preshared key");
                // Only whether one is set; the key itself stays in the (wiped) buffer.
                static const std::uint8_t zero[32] = {};
                peer.has_preshared_key = sodium_memcmp(mnl_attr_get_payload(a), zero, 32) != 0;
                break;
            }
            case WGPEER_A_ENDPOINT: {
                auto e = parse_endpoint(a);
                if (!e) return e.error();
                peer.endpoint = std::move(*e);
                break;
            }
            case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
                if (!payload_is(a, 2)) return malformed("keepalive");
                peer.keepalive = mnl_attr_get_u16(a);
                break;
            case WGPEER_A_LAST_HANDSHAKE_TIME: {
                // struct __kernel_timespec: two 64-bit fields.
                if (!payload_is(a, 16)) return malformed("last handshake time");
                std::int64_t ts[2];
                std::memcpy(ts, mnl_attr_get_payload(a), sizeof ts);
                peer.last_handshake_sec = ts[0];
                peer.last_handshake_nsec = ts[1];
                break;
            }
            case WGPEER_A_RX_BYTES:
                if (!payload_is(a, 8)) return malformed("rx bytes");
                peer.rx_bytes = mnl_attr_get_u64(a);
                break;
            case WGPEER_A_TX_BYTES:
                if (!payload_is(a, 8)) return malformed("tx bytes");
                peer.tx_bytes = mnl_attr_get_u64(a);
                break;
            case WGPEER_A_ALLOWEDIPS: {
                for (const nlattr* ip : Attrs::nested(a)) {
                    if (auto s = parse_allowed_ip(ip, peer.allowed_ips); !s) return s.error();
                }
                break;
            }
        }
    }
    if (!have_key) return malformed("peer without public key");
    return peer;
}

}  // namespace

Status DeviceDumpParser::feed(const nlmsghdr* nlh) {
    if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(genlmsghdr)) return malformed("short message");
    for (const nlattr* a : Attrs::of(nlh, sizeof(genlmsghdr))) {
        switch (mnl_attr_get_type(a)) {
            case WGDEVICE_A_IFNAME:
                if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0) return malformed("ifname");
                dev_.ifname = mnl_attr_get_str(a);
                break;
            case WGDEVICE_A_PUBLIC_KEY:
                if (!payload_is(a, 32)) return malformed("public key");
                dev_.public_key.emplace();
                std::memcpy(dev_.public_key->bytes.data(), mnl_attr_get_payload(a), 32);
                break;
            case WGDEVICE_A_LISTEN_PORT:
                if (!payload_is(a, 2)) return malformed("listen port");
                dev_.listen_port = mnl_attr_get_u16(a);
                break;
            case WGDEVICE_A_FWMARK:
                if (!payload_is(a, 4)) return malformed("fwmark");
                dev_.fwmark = mnl_attr_get_u32(a);
                break;
            case WGDEVICE_A_PEERS: {
                for (const nlattr* p : Attrs::nested(a)) {
                    auto peer = parse_peer(p);
                    if (!peer) return peer.error();
                    // The first peer of a part may continue the last one of the previous part.
                    if (!dev_.peers.empty() && dev_.peers.back().public_key == peer->public_key) {
                        auto& ips = dev_.peers.back().allowed_ips;
                        ips.insert(ips.end(), peer->allowed_ips.begin(), peer->allowed_ips.end());
                    } else {
                        dev_.peers.push_back(std::move(*peer));
                    }
                }
                break;
            }
                // WGDEVICE_A_PRIVATE_KEY is deliberately not read.
        }
    }
    return ok_status();
}

}  // namespace vpngw::wg::genl
