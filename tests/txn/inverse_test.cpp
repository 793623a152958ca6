// The inverse ops `up --confirm` records before applying: what undoes a table
// replacement and a WireGuard change, the two ops ops::inverse cannot undo
// alone.

#include "txn/inverse.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "keys/keys.hpp"
#include "support/temp_dir.hpp"

namespace vpngw::txn {
namespace {

PublicKey key(std::uint8_t seed) {
    PublicKey k;
    for (auto& b : k.bytes) b = seed;
    return k;
}

state::WgPeer peer(std::uint8_t seed, const char* ip) {
    state::WgPeer p;
    p.public_key = key(seed);
    p.allowed_ips = {*Prefix::parse(ip)};
    return p;
}

ops::WgObserved device() {
    ops::WgObserved d;
    d.ifname = "wg0";
    d.listen_port = 51820;
    d.fwmark = 7;
    d.peers = {peer(1, "10.66.1.2/32"), peer(2, "10.66.1.3/32")};
    return d;
}

TEST(ReverseWg, PutsTheDeviceBackAsObserved) {
    ops::WgChange change;
    change.ifname = "wg0";
    change.listen_port = 51821;
    change.upsert_peers = {peer(1, "10.66.1.9/32"), peer(3, "10.66.1.4/32")};
    change.remove_peers = {key(2)};
    const auto before = device();
    auto back = reverse_wg(change, &before, "");
    EXPECT_EQ(back.ifname, "wg0");
    EXPECT_EQ(back.listen_port, std::optional<std::uint16_t>(51820));
    EXPECT_FALSE(back.fwmark) << "the change left the fwmark alone";
    EXPECT_TRUE(back.private_key_file.empty());
    // peer 1 changed: restored; peer 3 is new: removed; peer 2 was removed: back.
    ASSERT_EQ(back.upsert_peers.size(), 2u);
    EXPECT_EQ(back.upsert_peers[0], before.peers[0]);
    EXPECT_EQ(back.upsert_peers[1], before.peers[1]);
    EXPECT_EQ(back.remove_peers, std::vector<PublicKey>{key(3)});
}

TEST(ReverseWg, ANewDeviceIsUndoneByDeletingItsLink) {
    ops::WgChange change;
    change.ifname = "wg1";
    change.listen_port = 51822;
    change.upsert_peers = {peer(1, "10.66.1.2/32")};
    auto back = reverse_wg(change, nullptr, "");
    EXPECT_FALSE(back.listen_port);
    EXPECT_TRUE(back.upsert_peers.empty());
    EXPECT_TRUE(back.remove_peers.empty());
}

TEST(InverseOps, ATableReplacementIsUndoneByTheLiveTableAskedOnce) {
    int asked = 0;
    auto live = [&]() -> Result<std::optional<std::string>> {
        ++asked;
        return std::optional<std::string>("table inet vpngw { }\n");
    };
    const std::vector<ops::Op> planned{
        {ops::NftReplace{"table inet vpngw { a }\n", "", false}, {}},
        {ops::NftReplace{"table inet vpngw { b }\n", "", false}, {}}};
    auto inverse = inverse_ops(planned, {}, store::StatePaths{"/nonexistent"}, live);
    ASSERT_TRUE(inverse) << inverse.error().str();
    EXPECT_EQ(asked, 1);
    ASSERT_EQ(inverse->size(), 2u);
    const auto& first = std::get<ops::NftReplace>((*inverse)[0].payload);
    EXPECT_EQ(first.text, "table inet vpngw\ndelete table inet vpngw\ntable inet vpngw { }\n");
    EXPECT_EQ(first.before, "table inet vpngw { a }\n");

    auto absent = [] { return Result<std::optional<std::string>>(std::optional<std::string>()); };
    inverse = inverse_ops({planned[0]}, {}, store::StatePaths{"/nonexistent"}, absent);
    ASSERT_TRUE(inverse);
    EXPECT_EQ(std::get<ops::NftReplace>((*inverse)[0].payload).text, "")
        << "no table before: the revert deletes it";

    auto failing = [] { return Result<std::optional<std::string>>(Error{"no netlink"}); };
    EXPECT_FALSE(inverse_ops({planned[0]}, {}, store::StatePaths{"/nonexistent"}, failing));
}

TEST(InverseOps, AReplacedPrivateKeyComesBackFromTheSnapshot) {
    TempDir dir;
    const store::StatePaths paths{dir.path()};
    std::filesystem::create_directories(paths.pending_files_dir());
    auto old_pair = keys::generate_key_pair();
    auto other = keys::generate_key_pair();
    ASSERT_TRUE(old_pair && other);
    std::ofstream(paths.pending_files_dir() + "/wg9.key") << other->private_key.base64() << "\n";
    std::ofstream(paths.pending_files_dir() + "/wg0.key") << old_pair->private_key.base64() << "\n";
    std::ofstream(paths.pending_files_list()) << "peers.tsv\nwg9.key\nwg0.key\n";

    ops::Observed observed;
    observed.wireguard.push_back(device());
    observed.wireguard[0].public_key = old_pair->public_key;
    ops::WgChange change;
    change.ifname = "wg0";
    change.private_key_file = paths.key_file("wg0");
    auto never = []() -> Result<std::optional<std::string>> { return Error{"not asked"}; };
    auto inverse =
        inverse_ops({{change, {}}, {ops::SysctlSet{{"k", "1"}, "0"}, {}}}, observed, paths, never);
    ASSERT_TRUE(inverse) << inverse.error().str();
    EXPECT_EQ(std::get<ops::WgChange>((*inverse)[0].payload).private_key_file,
              paths.pending_files_dir() + "/wg0.key");
    const auto& sysctl = std::get<ops::SysctlSet>((*inverse)[1].payload);
    EXPECT_EQ(sysctl.sysctl.value, "0") << "the plain inverse of ops/diff";
}

state::Route link_route(const char* dst, const char* dev) {
    state::Route r;
    r.table = 254;
    r.dst = *Prefix::parse(dst);
    r.dev = dev;
    return r;
}

// wg-quick's `ip route add <net> dev wg0` (proto boot) in the place of a
// route the plan adds: exec takes it over, so its undo hands it back to
// proto boot instead of deleting it. Known before anything runs.
TEST(InverseOps, ARouteTakenOverIsHandedBackToItsOwner) {
    const auto taken = link_route("192.168.50.0/24", "wg0");
    const auto fresh = link_route("192.168.51.0/24", "wg0");
    const auto clash = link_route("192.168.52.0/24", "wg0");
    int asked = 0;
    auto routes = [&]() -> Result<std::vector<netlink::RouteEntry>> {
        ++asked;
        return std::vector<netlink::RouteEntry>{{taken, 3},
                                                {link_route("192.168.52.0/24", "eth0"), 3}};
    };
    const std::vector<ops::Op> planned{
        {ops::RouteAdd{taken}, {}}, {ops::RouteAdd{fresh}, {}}, {ops::RouteAdd{clash}, {}}};
    auto never = []() -> Result<std::optional<std::string>> { return Error{"not asked"}; };
    auto inverse = inverse_ops(planned, {}, store::StatePaths{"/nonexistent"}, never, routes);
    ASSERT_TRUE(inverse) << inverse.error().str();
    EXPECT_EQ(asked, 1);
    ASSERT_EQ(inverse->size(), 3u);
    const auto& back = std::get<ops::RouteDelete>((*inverse)[0].payload);
    EXPECT_EQ(back.route, taken);
    EXPECT_EQ(back.hand_back_to, std::uint8_t{3});
    EXPECT_FALSE(std::get<ops::RouteDelete>((*inverse)[1].payload).hand_back_to)
        << "a new route: deleting it undoes it";
    EXPECT_FALSE(std::get<ops::RouteDelete>((*inverse)[2].payload).hand_back_to)
        << "another device's route is a conflict, never taken over";

    // Without the kernel's routes (or when it cannot say): today's deletes.
    inverse = inverse_ops(planned, {}, store::StatePaths{"/nonexistent"}, never);
    ASSERT_TRUE(inverse);
    EXPECT_FALSE(std::get<ops::RouteDelete>((*inverse)[0].payload).hand_back_to);
    auto failing = []() -> Result<std::vector<netlink::RouteEntry>> { return Error{"no netlink"}; };
    EXPECT_FALSE(inverse_ops(planned, {}, store::StatePaths{"/nonexistent"}, never, failing));
}

}  // namespace
}  // namespace vpngw::txn
