#include "exec/live_peers.hpp"

#include "exec/backends.hpp"
#include "netlink/write/routes.hpp"
#include "nft/ruleset.hpp"
#include "nft/write/elements.hpp"
#include "nft/write/ruleset.hpp"

namespace vpngw::exec {

LivePeers::~LivePeers() = default;

Status LivePeers::set_peers(const model::Interface& iface,
                            const std::vector<wg::PeerConfig>& peers) {
    for (const auto& p : peers)
        if (auto st = set_peer(iface, p); !st) return st;
    return ok_status();
}

namespace {

class SystemLivePeers : public LivePeers {
  public:
    explicit SystemLivePeers(const wg::UserspaceOptions& userspace) : backends_(userspace) {}

    bool interface_up(const model::Interface& iface) override {
        return backend(iface).exists(iface.name);
    }
    Result<bool> firewall_up() override { return nft::table_exists(); }
    Result<wg::ObservedDevice> observe(const model::Interface& iface) override {
        return backend(iface).get(iface.name);
    }
    Status set_peer(const model::Interface& iface, const wg::PeerConfig& peer) override {
        wg::DeviceConfig cfg;
        cfg.replace_peers = false;  // the other peers' sessions stay as they are
        cfg.peers.push_back(peer);
        return backend(iface).set(iface.name, cfg);
    }
    Status set_peers(const model::Interface& iface,
                     const std::vector<wg::PeerConfig>& peers) override {
        if (peers.empty()) return ok_status();
        wg::DeviceConfig cfg;
        cfg.peers = peers;
        return backend(iface).set(iface.name, cfg);
    }
    Status remove_peer(const model::Interface& iface, const PublicKey& key) override {
        wg::DeviceConfig cfg;
        cfg.remove_peers.push_back(key);
        return backend(iface).set(iface.name, cfg);
    }
    Status change_elements(const std::vector<nft::ElementChange>& changes) override {
        return nft::apply_element_changes(changes);
    }
    Status change_objects(const std::vector<nft::ObjectChange>& objects,
                          const std::vector<nft::ElementChange>& elements) override {
        return nft::apply_changes(objects, elements);
    }
    Status run_nft(const std::string& commands) override {
        return nft::apply_commands(commands, "applying the peer's limits");
    }
    Status change_route(const state::Route& route, bool add) override {
        auto sock = netlink::NetlinkSocket::open();
        if (!sock) return sock.error();
        return add ? netlink::add_route(*sock, route) : netlink::delete_route(*sock, route);
    }
    std::string backend_name(const model::Interface& iface) override {
        return backend(iface).name();
    }

  private:
    wg::WgBackend& backend(const model::Interface& iface) {
        return backends_.for_interface(iface.name, iface.backend);
    }

    Backends backends_;
};

}  // namespace

std::unique_ptr<LivePeers> system_live_peers(const wg::UserspaceOptions& userspace) {
    return std::make_unique<SystemLivePeers>(userspace);
}

}  // namespace vpngw::exec
