#include "exec/replay.hpp"

#include <memory>

#include "exec/apply.hpp"

namespace vpngw::exec {

namespace {

struct Replay {
    netlink::NetlinkSocket sock;
    Backends backends;
    model::Profile profile;
};

}  // namespace

Result<RunOp> open_replay(const std::string& wireguard_go,
                          const std::vector<std::pair<std::string, model::Backend>>& interfaces) {
    auto sock = netlink::NetlinkSocket::open();
    if (!sock) return sock.error();
    wg::UserspaceOptions userspace;
    userspace.binary = wireguard_go;
    auto replay = std::make_shared<Replay>(Replay{std::move(*sock), Backends(userspace), {}});
    for (const auto& [name, backend] : interfaces) {
        model::Interface i;
        i.name = name;
        i.backend = backend;
        replay->profile.interfaces.push_back(std::move(i));
    }
    return RunOp([replay](const ops::Op& op) -> Status {
        // No fingerprint is recorded: the revert puts back the state
        // directory's files, which hold the one describing the table it restores.
        ApplyContext ctx{replay->sock, replay->backends, replay->profile, {}};
        auto done = apply({op}, ctx);
        if (!done) return done.error();
        return ok_status();
    });
}

}  // namespace vpngw::exec
