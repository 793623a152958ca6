#include "ops/diff.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace vpngw::ops {
namespace {

Prefix pfx(const char* s) {
    return *Prefix::parse(s);
}

PublicKey key(std::uint8_t fill) {
    PublicKey k;
    k.bytes.fill(fill);
    return k;
}

state::WgPeer peer(std::uint8_t key_fill, const char* allowed_ip) {
    state::WgPeer p;
    p.public_key = key(key_fill);
    p.allowed_ips = {pfx(allowed_ip)};
    return p;
}

Desired sample_desired() {
    Desired d;
    d.state.links.push_back({"wg0", "wireguard", 1420, true, {}});
    d.state.addresses.push_back({"wg0", pfx("10.8.0.1/16"), {}});
    d.state.routes.push_back({51001, pfx("0.0.0.0/0"), IpAddress::parse("192.0.2.1"), "eth0"});
    state::Rule rule;
    rule.priority = 5100;
    rule.fwmark = 0x51001;
    rule.table = 51001;
    d.state.rules.push_back(rule);
    state::WgDevice dev;
    dev.ifname = "wg0";
    dev.listen_port = 51820;
    dev.private_key_file = "/var/lib/vpngw/wg0.key";
    dev.peers.push_back(peer(1, "10.8.1.2/32"));
    d.state.wireguard.push_back(dev);
    d.state.sysctls.push_back({"net.ipv4.ip_forward", "1"});
    d.state.nft_ruleset = "table inet vpngw {}\n";
    d.wg_public_keys["wg0"] = key(9);
    d.nft_hash = "h1";
    d.nft_elements.push_back({"peers4", *IpAddress::parse("10.8.1.2"), {}});
    return d;
}

// The kernel as it is right after a successful `up` of sample_desired().
Observed converged(const Desired& d) {
    Observed o;
    o.links = d.state.links;
    o.addresses = d.state.addresses;
    o.routes = d.state.routes;
    o.rules = d.state.rules;
    WgObserved w;
    w.ifname = "wg0";
    w.listen_port = 51820;
    w.public_key = key(9);
    w.peers = d.state.wireguard[0].peers;
    o.wireguard.push_back(w);
    o.sysctls = d.state.sysctls;
    o.nft_hash = d.nft_hash;
    o.nft_elements = d.nft_elements;
    return o;
}

std::vector<std::string> kinds(const std::vector<Op>& ops) {
    std::vector<std::string> out;
    for (const auto& op : ops) out.push_back(op.kind());
    return out;
}

// The table (with its drop policies and peer sets) comes before the link and
// its peers, so an `up` stopped after any op never leaves an authenticated
// peer without filtering; forwarding comes last.
TEST(DiffUp, EmptyKernelGetsEverythingInSafeOrder) {
    Observed empty;
    empty.sysctls.push_back({"net.ipv4.ip_forward", "0"});
    auto ops = diff_up(sample_desired(), empty);
    EXPECT_EQ(kinds(ops),
              (std::vector<std::string>{"nft", "link-create", "wireguard", "address-add",
                                        "route-add", "rule-add", "sysctl"}));
    const auto& wg = std::get<WgChange>(ops[2].payload);
    EXPECT_EQ(wg.private_key_file, "/var/lib/vpngw/wg0.key");
    ASSERT_EQ(wg.upsert_peers.size(), 1u);
    EXPECT_EQ(std::get<SysctlSet>(ops.back().payload).before, "0");
}

// A device that is up with peers while the table is gone (deleted by hand,
// or left so by an older vpngw killed mid-`up`): the table comes back before
// the new peer is configured.
TEST(DiffUp, MissingTableComesBeforeNewPeers) {
    auto d = sample_desired();
    auto o = converged(d);
    o.nft_hash.reset();
    o.nft_elements.clear();
    d.state.wireguard[0].peers.push_back(peer(3, "10.8.1.4/32"));
    EXPECT_EQ(kinds(diff_up(d, o)), (std::vector<std::string>{"nft", "wireguard"}));
}

// Peer elements change before the peers: an added peer's address is in the
// peer set before WireGuard authenticates it, a removed one's leaves first.
TEST(DiffUp, PeerElementsChangeBeforeThePeers) {
    auto d = sample_desired();
    auto o = converged(d);
    d.state.wireguard[0].peers = {peer(3, "10.8.1.4/32")};
    d.nft_elements = {{"peers4", *IpAddress::parse("10.8.1.4"), {}}};
    EXPECT_EQ(kinds(diff_up(d, o)),
              (std::vector<std::string>{"nft-element-delete", "nft-element-add", "wireguard"}));
}

TEST(DiffUp, ConvergedKernelNeedsNothing) {
    auto d = sample_desired();
    EXPECT_TRUE(diff_up(d, converged(d)).empty());
}

TEST(DiffUp, ChangedRouteIsDeletedBeforeReAdded) {
    auto d = sample_desired();
    auto o = converged(d);
    o.routes[0].via = IpAddress::parse("192.0.2.254");
    auto ops = diff_up(d, o);
    EXPECT_EQ(kinds(ops), (std::vector<std::string>{"route-delete", "route-add"}));
}

TEST(DiffUp, PeerChangesTouchOnlyThosePeers) {
    auto d = sample_desired();
    auto o = converged(d);
    state::WgPeer stale;
    stale.public_key = key(2);
    stale.allowed_ips = {pfx("10.8.1.3/32")};
    o.wireguard[0].peers.push_back(stale);
    auto ops = diff_up(d, o);
    ASSERT_EQ(ops.size(), 1u);
    const auto& wg = std::get<WgChange>(ops[0].payload);
    EXPECT_TRUE(wg.upsert_peers.empty());
    ASSERT_EQ(wg.remove_peers.size(), 1u);
    EXPECT_EQ(wg.remove_peers[0], key(2));
    EXPECT_FALSE(wg.listen_port.has_value());
    EXPECT_TRUE(wg.private_key_file.empty());
}

TEST(DiffUp, PeerElementsAreAddedWithoutReplacingTheTable) {
    auto d = sample_desired();
    auto o = converged(d);
    o.nft_elements.clear();
    auto ops = diff_up(d, o);
    EXPECT_EQ(kinds(ops), (std::vector<std::string>{"nft-element-add"}));
}

TEST(DiffUp, ChangedRulesetReplacesTheTable) {
    auto d = sample_desired();
    auto o = converged(d);
    o.nft_hash = "old";
    auto ops = diff_up(d, o);
    EXPECT_EQ(kinds(ops), (std::vector<std::string>{"nft"}));
}

TEST(DiffUp, TableEditedByHandIsReplacedAndSaysSo) {
    auto d = sample_desired();
    auto o = converged(d);
    o.nft_changed_outside = true;  // comment matches, the listing does not
    auto ops = diff_up(d, o);
    ASSERT_EQ(kinds(ops), (std::vector<std::string>{"nft"}));
    EXPECT_EQ(std::get<NftReplace>(ops[0].payload).text, d.state.nft_ruleset);
    EXPECT_NE(ops[0].describe().find("changed outside vpngw"), std::string::npos);
}

TEST(DiffUp, ChangedRulesetIsNotCalledAHandEdit) {
    auto d = sample_desired();
    auto o = converged(d);
    o.nft_hash = "old";
    auto ops = diff_up(d, o);
    ASSERT_EQ(ops.size(), 1u);
    EXPECT_EQ(ops[0].describe().find("changed outside vpngw"), std::string::npos);
}

TEST(DiffUp, LinkLocalAddressesAreLeftAlone) {
    auto d = sample_desired();
    auto o = converged(d);
    o.addresses.push_back({"wg0", pfx("fe80::1/64"), {}});
    EXPECT_TRUE(diff_up(d, o).empty());
}

// Many peers and elements, listed by the kernel in another order than the
// plan's: the comparison (sorted keys, not hash sets or ordered maps) must
// find no difference, and exactly the differences made by hand.
Desired many_peers(int n) {
    auto d = sample_desired();
    d.state.wireguard[0].peers.clear();
    d.nft_elements.clear();
    for (int i = 0; i < n; ++i) {
        state::WgPeer p;
        p.public_key.bytes.fill(0);
        p.public_key.bytes[7] = static_cast<std::uint8_t>(i);  // a tie in the first bytes
        p.public_key.bytes[31] = static_cast<std::uint8_t>(i >> 8);
        const auto addr = IpAddress::v4(0x0a080000u + static_cast<std::uint32_t>(i) + 2);
        p.allowed_ips = {Prefix{addr, 32}};
        d.state.wireguard[0].peers.push_back(p);
        d.nft_elements.push_back({"peers4", addr, {}});
    }
    auto& peers = d.state.wireguard[0].peers;
    std::sort(peers.begin(), peers.end(), [](const state::WgPeer& a, const state::WgPeer& b) {
        return a.public_key < b.public_key;
    });
    return d;
}

Observed reversed(const Desired& d) {
    auto o = converged(d);
    std::reverse(o.wireguard[0].peers.begin(), o.wireguard[0].peers.end());
    std::reverse(o.nft_elements.begin(), o.nft_elements.end());
    return o;
}

TEST(DiffUp, ManyPeersInAnotherOrderNeedNothing) {
    auto d = many_peers(600);
    EXPECT_TRUE(diff_up(d, reversed(d)).empty());
}

TEST(DiffUp, EveryHandChangeAmongManyPeersIsFound) {
    auto d = many_peers(600);
    auto o = reversed(d);
    auto& peers = o.wireguard[0].peers;
    const PublicKey removed = peers[10].public_key;
    peers.erase(peers.begin() + 10);               // removed in wireguard-go
    peers[20].allowed_ips = {pfx("10.9.9.9/32")};  // changed in wireguard-go
    const PublicKey changed = peers[20].public_key;
    state::WgPeer extra;
    extra.public_key = key(0xee);
    peers.push_back(extra);            // added by hand
    o.nft_elements[5].map = "peers6";  // the right key in the wrong set
    const NftElement misplaced = o.nft_elements[5];
    const NftElement dropped = o.nft_elements[6];
    o.nft_elements.erase(o.nft_elements.begin() + 6);  // removed from the map
    o.nft_elements.push_back({"peers4", *IpAddress::parse("10.7.0.1"), {}});
    auto ops = diff_up(d, o);
    ASSERT_EQ(kinds(ops),
              (std::vector<std::string>{"nft-element-delete", "nft-element-add", "wireguard"}));
    const auto& wg = std::get<WgChange>(ops[2].payload);
    ASSERT_EQ(wg.upsert_peers.size(), 2u);
    EXPECT_TRUE(
        (wg.upsert_peers[0].public_key == removed && wg.upsert_peers[1].public_key == changed) ||
        (wg.upsert_peers[0].public_key == changed && wg.upsert_peers[1].public_key == removed));
    EXPECT_EQ(wg.remove_peers, (std::vector<PublicKey>{key(0xee)}));
    const auto& stale = std::get<NftElementsDelete>(ops[0].payload).elements;
    ASSERT_EQ(stale.size(), 2u);
    EXPECT_EQ(stale[0], misplaced);
    EXPECT_EQ(stale[1].key, *IpAddress::parse("10.7.0.1"));
    const auto& missing = std::get<NftElementsAdd>(ops[1].payload).elements;
    ASSERT_EQ(missing.size(), 2u);
    // In the plan's order: both came from the end of the reversed list.
    EXPECT_TRUE((missing[0].key == dropped.key && missing[1].key == misplaced.key) ||
                (missing[0].key == misplaced.key && missing[1].key == dropped.key));
    for (const auto& e : missing) EXPECT_EQ(e.map, "peers4");
}

TEST(DiffDown, RemovesOwnedObjectsAndRestoresSysctls) {
    auto d = sample_desired();
    auto o = converged(d);
    auto ops = diff_down(d, o, {{"net.ipv4.ip_forward", "0"}});
    EXPECT_EQ(kinds(ops), (std::vector<std::string>{"sysctl", "rule-delete", "route-delete",
                                                    "link-delete", "nft"}));
}

TEST(DiffDown, LeavesForeignLinksAlone) {
    auto d = sample_desired();
    auto o = converged(d);
    o.foreign_links.push_back("wg0");
    for (const auto& op : diff_down(d, o, {})) EXPECT_STRNE(op.kind(), "link-delete");
}

TEST(Inverse, UndoesEachReversibleKind) {
    state::Route r{51001, pfx("0.0.0.0/0"), IpAddress::parse("192.0.2.1"), "eth0"};
    Op add{RouteAdd{r}, {}};
    auto undo = inverse(add);
    ASSERT_TRUE(std::holds_alternative<RouteDelete>(undo.payload));
    EXPECT_EQ(std::get<RouteDelete>(undo.payload).route, r);
    Op sys{SysctlSet{{"net.ipv4.ip_forward", "1"}, "0"}, {}};
    auto back = std::get<SysctlSet>(inverse(sys).payload);
    EXPECT_EQ(back.sysctl.value, "0");
    EXPECT_EQ(back.before, "1");
}

// A peer the kernel has is never shown as added: plan names what changes,
// attribute by attribute, and only new peers get a "+".
TEST(Describe, ExistingPeerChangesAttributeByAttribute) {
    auto d = sample_desired();
    d.state.wireguard[0].peers[0].name = "alice";
    d.state.wireguard[0].peers.push_back(peer(3, "10.8.1.4/32"));
    d.state.wireguard[0].peers.back().name = "bob";
    auto o = converged(d);
    o.wireguard[0].peers.pop_back();  // bob is new
    o.wireguard[0].peers[0].allowed_ips = {pfx("10.8.1.2/32"), pfx("fd08::2/128")};
    o.wireguard[0].peers[0].keepalive = 25;
    auto ops = diff_up(d, o);
    ASSERT_EQ(ops.size(), 1u);
    EXPECT_EQ(ops[0].describe(),
              "~ wireguard wg0 +1 peer(s) ~1 peer(s)\n"
              "    ~ peer alice allowed-ips 10.8.1.2/32,fd08::2/128 \u2192 10.8.1.2/32\n"
              "    ~ peer alice persistent-keepalive 25 \u2192 0\n"
              "    + peer AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM= (bob)");
}

TEST(Describe, NeverPrintsKeyFileContentsOnlyPaths) {
    WgChange c;
    c.ifname = "wg0";
    c.private_key_file = "/var/lib/vpngw/wg0.key";
    Op op{c, {}};
    EXPECT_EQ(op.describe(), "~ wireguard wg0 private-key from /var/lib/vpngw/wg0.key");
}

}  // namespace
}  // namespace vpngw::ops
