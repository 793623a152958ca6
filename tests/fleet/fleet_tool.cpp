// The fleet tests' client of the etcd registry: what `vpngw peer add` does
// with a [cluster] profile once the gateway opens its registry through
// registry.hpp (h/life's wiring), through the same Registry interface and
// the profile's allocator. Prints one line per peer; errors on stderr, exit 1.
//
//   fleet_tool PROFILE add NAME GROUP
//   fleet_tool PROFILE remove NAME
//   fleet_tool PROFILE list        NAME GROUP ADDRESS ADDRESS6 per line
//   fleet_tool PROFILE audit       USER COMMAND PEER per line

#include <sodium.h>

#include <cstdio>
#include <string>

#include "fleet/etcd_registry.hpp"
#include "gateway/peers.hpp"
#include "profile/loader.hpp"

using namespace vpngw;

namespace {

int fail(const std::string& message) {
    std::fprintf(stderr, "fleet_tool: %s\n", message.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3 || sodium_init() < 0)
        return fail("usage: fleet_tool PROFILE add|remove|list|audit ...");
    auto loaded = profile::load_file(argv[1]);
    if (!loaded.profile) {
        for (const auto& d : loaded.diagnostics.all()) fail(d.where.str() + ": " + d.message);
        return 1;
    }
    const model::Profile& profile = *loaded.profile;
    if (!profile.cluster) return fail(std::string(argv[1]) + " has no [cluster]");
    auto reg = fleet::open_etcd_registry(profile.cluster->etcd);
    const std::string command = argv[2];
    const registry::Actor actor{"fleet-test", "peer " + command};

    if (command == "add" && argc == 5) {
        registry::PeerRecord peer;
        peer.name = argv[3];
        peer.group = argv[4];
        randombytes_buf(peer.public_key.bytes.data(), peer.public_key.bytes.size());
        peer.created = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        const std::string group = peer.group;
        registry::Allocator allocate =
            [&](const std::vector<IpAddress>& stored) -> Result<registry::Addresses> {
            plan::ReservedAddresses reserved;
            reserved[group] = stored;
            auto a = gateway::allocate_new_peer(profile, group, reserved);
            if (!a) return a.error();
            return registry::Addresses{a->v4, a->v6};
        };
        auto added = reg->add(peer, &allocate, actor);
        if (!added) return fail(added.error().message);
        std::printf("%s %s\n", added->name.c_str(),
                    added->address ? added->address->str().c_str() : "-");
        return 0;
    }
    if (command == "remove" && argc == 4) {
        if (auto st = reg->remove(argv[3], actor); !st) return fail(st.error().message);
        return 0;
    }
    if (command == "list" && argc == 3) {
        auto peers = reg->list();
        if (!peers) return fail(peers.error().message);
        for (const auto& p : *peers)
            std::printf("%s %s %s %s\n", p.name.c_str(), p.group.c_str(),
                        p.address ? p.address->str().c_str() : "-",
                        p.address6 ? p.address6->str().c_str() : "-");
        return 0;
    }
    if (command == "audit" && argc == 3) {
        auto entries = reg->audit();
        if (!entries) return fail(entries.error().message);
        for (const auto& a : *entries)
            std::printf("%s|%s|%s\n", a.user.c_str(), a.command.c_str(), a.peer.c_str());
        return 0;
    }
    return fail("usage: fleet_tool PROFILE add NAME GROUP | remove NAME | list | audit");
}
