// The op codec that carries `up --confirm`'s inverse ops to another process:
// every op kind survives a round trip with every field it encodes, and a
// damaged file is an error naming its line.

#include "txn/op_codec.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace vpngw::txn {
namespace {

PublicKey key(std::uint8_t seed) {
    PublicKey k;
    for (std::size_t i = 0; i < k.bytes.size(); ++i)
        k.bytes[i] = static_cast<std::uint8_t>(seed + i);
    return k;
}

state::Link link() {
    state::Link l;
    l.name = "wg0";
    l.kind = "wireguard";
    l.mtu = 1380;
    l.up = true;
    return l;
}

state::Route route() {
    state::Route r;
    r.table = 101;
    r.dst = *Prefix::parse("0.0.0.0/0");
    r.via = *IpAddress::parse("203.0.113.1");
    r.dev = "eth0";
    r.metric = 7;
    return r;
}

state::Rule rule() {
    state::Rule r;
    r.family = Family::v6;
    r.priority = 5010;
    r.fwmark = 0x100;
    r.fwmask = 0xff00;
    r.from = *Prefix::parse("2001:db8::/64");
    r.iif = "lo";
    r.table = 101;
    r.suppress_prefixlength = 0;
    return r;
}

ops::WgChange wg() {
    ops::WgChange c;
    c.ifname = "wg0";
    c.listen_port = 51821;
    c.fwmark = 0x42;
    c.private_key_file = "/var/lib/vpngw/pending/files/wg0.key";
    state::WgPeer p;
    p.public_key = key(1);
    p.name = "alice";
    p.preshared_key_file = "/var/lib/vpngw/psk/alice.psk";
    p.allowed_ips = {*Prefix::parse("10.66.1.2/32"), *Prefix::parse("fd00::2/128")};
    p.endpoint = Endpoint::parse("198.51.100.9:51820");
    p.keepalive = 25;
    c.upsert_peers.push_back(p);
    c.remove_peers.push_back(key(2));
    return c;
}

std::vector<ops::NftElement> elements() {
    return {{"peers4", *IpAddress::parse("10.66.1.2"), {}},
            {"peers6", *IpAddress::parse("fd00::2"), {}}};
}

// One op of each kind, every optional field set, each from its own profile line.
std::vector<ops::Op> every_kind() {
    state::Link before = link();
    before.mtu = 1420;
    before.up = false;
    std::vector<ops::OpPayload> payloads{
        ops::LinkCreate{link(), model::Backend::userspace},
        ops::LinkDelete{link()},
        ops::LinkSet{link(), before},
        wg(),
        ops::AddressAdd{{"wg0", *Prefix::parse("10.66.0.1/16"), {}}},
        ops::AddressDelete{{"wg0", *Prefix::parse("fd00::1/64"), {}}},
        ops::RouteAdd{route()},
        ops::RouteDelete{route()},
        ops::RuleAdd{rule()},
        ops::RuleDelete{rule()},
        ops::SysctlSet{{"net.ipv4.ip_forward", "1"}, "0"},
        ops::NftReplace{"table inet vpngw {\n\tchain input {}\n}\n", "table inet vpngw {}\n",
                        false},
        ops::NftElementsAdd{elements()},
        ops::NftElementsDelete{elements()},
        ops::LinkMark{"wg0", "vpngw", "old alias"},
    };
    std::vector<ops::Op> out;
    int line = 10;
    for (auto& p : payloads) out.push_back({std::move(p), {"/etc/vpngw/office.toml", line++, 3}});
    return out;
}

TEST(OpCodec, TheFixtureHasEveryKind) {
    std::set<std::string> kinds;
    for (const auto& op : every_kind()) kinds.insert(op.kind());
    EXPECT_EQ(kinds.size(), std::variant_size_v<ops::OpPayload>);
}

TEST(OpCodec, EveryKindRoundTrips) {
    const auto ops = every_kind();
    const std::string text = encode_ops(ops);
    auto back = decode_ops(text, "inverse.toml");
    ASSERT_TRUE(back) << back.error().str();
    ASSERT_EQ(back->size(), ops.size());
    for (std::size_t i = 0; i < ops.size(); ++i) {
        SCOPED_TRACE(ops[i].kind());
        EXPECT_STREQ((*back)[i].kind(), ops[i].kind());
        EXPECT_EQ((*back)[i].describe(), ops[i].describe());
        EXPECT_EQ((*back)[i].origin.str(), ops[i].origin.str());
    }
    EXPECT_EQ(encode_ops(*back), text) << "decoding loses nothing encoding wrote";
}

TEST(OpCodec, FieldsBeyondTheDescriptionRoundTrip) {
    auto back = decode_ops(encode_ops(every_kind()), "inverse.toml");
    ASSERT_TRUE(back) << back.error().str();
    const auto& create = std::get<ops::LinkCreate>((*back)[0].payload);
    EXPECT_EQ(create.link, link());
    EXPECT_EQ(create.backend, model::Backend::userspace);
    const auto& set = std::get<ops::LinkSet>((*back)[2].payload);
    EXPECT_EQ(set.before.mtu, 1420);
    EXPECT_FALSE(set.before.up);

    const auto& c = std::get<ops::WgChange>((*back)[3].payload);
    EXPECT_EQ(c.ifname, "wg0");
    EXPECT_EQ(c.listen_port, std::optional<std::uint16_t>(51821));
    EXPECT_EQ(c.fwmark, std::optional<std::uint32_t>(0x42));
    EXPECT_EQ(c.private_key_file, "/var/lib/vpngw/pending/files/wg0.key");
    ASSERT_EQ(c.upsert_peers.size(), 1u);
    const auto& p = c.upsert_peers[0];
    EXPECT_EQ(p, wg().upsert_peers[0]);  // key, allowed IPs, keepalive
    EXPECT_EQ(p.name, "alice");
    EXPECT_EQ(p.preshared_key_file, "/var/lib/vpngw/psk/alice.psk");
    ASSERT_TRUE(p.endpoint);
    EXPECT_EQ(p.endpoint->str(), "198.51.100.9:51820");
    ASSERT_EQ(c.remove_peers.size(), 1u);
    EXPECT_EQ(c.remove_peers[0], key(2));

    EXPECT_EQ(std::get<ops::RouteAdd>((*back)[6].payload).route, route());
    EXPECT_EQ(std::get<ops::RuleAdd>((*back)[8].payload).rule, rule());
    const auto& sysctl = std::get<ops::SysctlSet>((*back)[10].payload);
    EXPECT_EQ(sysctl.sysctl, (state::Sysctl{"net.ipv4.ip_forward", "1"}));
    EXPECT_EQ(sysctl.before, "0");
    const auto& nft = std::get<ops::NftReplace>((*back)[11].payload);
    EXPECT_EQ(nft.text, "table inet vpngw {\n\tchain input {}\n}\n");
    EXPECT_EQ(nft.before, "table inet vpngw {}\n");
    EXPECT_EQ(std::get<ops::NftElementsDelete>((*back)[13].payload).elements, elements());
    const auto& mark = std::get<ops::LinkMark>((*back)[14].payload);
    EXPECT_EQ(mark.name, "wg0");
    EXPECT_EQ(mark.alias, "vpngw");
    EXPECT_EQ(mark.before, "old alias");
}

TEST(OpCodec, AnEmptyListRoundTrips) {
    auto back = decode_ops(encode_ops({}), "inverse.toml");
    ASSERT_TRUE(back) << back.error().str();
    EXPECT_TRUE(back->empty());
}

TEST(OpCodec, HoldsNoKeyMaterial) {
    // Only public keys and key file paths: the inverse file may be read by a
    // later process, never by anyone who should learn a secret.
    const std::string text = encode_ops(every_kind());
    EXPECT_EQ(text.find("private_key ="), std::string::npos);
    EXPECT_NE(text.find(key(1).base64()), std::string::npos);
}

TEST(OpCodec, AnUnknownKindIsAnErrorAtItsLine) {
    auto r = decode_ops("version = 1\n\n[[op]]\nkind = \"teleport\"\n", "inverse.toml");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().where.file, "inverse.toml");
    EXPECT_EQ(r.error().where.line, 4);
    EXPECT_NE(r.error().message.find("unknown operation kind \"teleport\""), std::string::npos);
}

TEST(OpCodec, ABadFieldIsAnErrorNamingItAndItsLine) {
    auto r = decode_ops(
        "[[op]]\nkind = \"route-add\"\ntable = 100\ndst = \"10.0.0.0/33\"\ndev = \"eth0\"\n",
        "inverse.toml");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().where.line, 4);
    EXPECT_NE(r.error().message.find("\"dst\""), std::string::npos) << r.error().message;

    auto peer = decode_ops(
        "[[op]]\nkind = \"wireguard\"\nifname = \"wg0\"\n[[op.upsert]]\npublic_key = \"short\"\n",
        "inverse.toml");
    ASSERT_FALSE(peer);
    EXPECT_EQ(peer.error().where.line, 5);
    EXPECT_NE(peer.error().message.find("\"public_key\""), std::string::npos);
}

TEST(OpCodec, TruncatedTextIsAnErrorAtItsLine) {
    const std::string text = encode_ops(every_kind());
    // Cut inside the multi-line nft text: an unterminated string.
    const auto cut = text.find("chain input");
    ASSERT_NE(cut, std::string::npos);
    auto r = decode_ops(text.substr(0, cut), "inverse.toml");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().where.file, "inverse.toml");
    EXPECT_GT(r.error().where.line, 1);
}

// A route taken over from another owner is handed back by its revert: the
// owner's protocol is recorded (version 2). A version 1 journal, written
// before that existed, still reads, and its route deletes are plain deletes.
TEST(OpCodec, ARouteHandBackKeepsItsOwnerAndOlderJournalsStillRead) {
    const std::vector<ops::Op> ops{{ops::RouteDelete{route(), std::uint8_t{3}}, {}},
                                   {ops::RouteDelete{route(), std::nullopt}, {}}};
    const std::string text = encode_ops(ops);
    EXPECT_NE(text.find("version = 2"), std::string::npos) << text;
    EXPECT_NE(text.find("hand_back_to = 3"), std::string::npos) << text;
    auto back = decode_ops(text, "inverse.toml");
    ASSERT_TRUE(back) << back.error().str();
    ASSERT_EQ(back->size(), 2u);
    EXPECT_EQ(std::get<ops::RouteDelete>((*back)[0].payload).hand_back_to, std::uint8_t{3});
    EXPECT_FALSE(std::get<ops::RouteDelete>((*back)[1].payload).hand_back_to);
    EXPECT_EQ((*back)[0].describe(),
              "~ route " + ops::describe_route(route()) + " handed back (proto 3)");

    const std::string v1 =
        "version = 1\n\n[[op]]\nkind = \"route-delete\"\ntable = 101\ndst = \"0.0.0.0/0\"\n"
        "via = \"203.0.113.1\"\ndev = \"eth0\"\nmetric = 7\ntype = 0\n";
    auto old = decode_ops(v1, "inverse.toml");
    ASSERT_TRUE(old) << old.error().str();
    ASSERT_EQ(old->size(), 1u);
    const auto& del = std::get<ops::RouteDelete>((*old)[0].payload);
    EXPECT_EQ(del.route, route());
    EXPECT_FALSE(del.hand_back_to) << "a version 1 entry deletes, as it always did";

    auto bad = decode_ops(v1 + "hand_back_to = 300\n", "inverse.toml");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("\"hand_back_to\""), std::string::npos)
        << bad.error().message;
    EXPECT_EQ(bad.error().where.line, 11);

    auto newer = decode_ops("version = 3\n", "inverse.toml");
    ASSERT_FALSE(newer);
    EXPECT_NE(newer.error().message.find("version 3, newer than this vpngw reads (2)"),
              std::string::npos)
        << newer.error().message;
    EXPECT_EQ(newer.error().where.line, 1);
}

}  // namespace
}  // namespace vpngw::txn
