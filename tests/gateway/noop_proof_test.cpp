// gateway/noop_proof.hpp without root: the record's codec (a hostile record is
// no proof and nothing else), what a record says of a plan, and the inputs'
// fingerprint: the same for the same inputs, different after any change the
// plan depends on. The kernel half is tests/netns/noop_proof.sh.
#include "gateway/noop_proof.hpp"

#include <gtest/gtest.h>

#include "exec/wg_digest.hpp"
#include "support/peer_session.hpp"

namespace vpngw::gateway::test {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

PublicKey key(int seed) {
    PublicKey k;
    for (std::size_t i = 0; i < k.bytes.size(); ++i)
        k.bytes[i] = static_cast<std::uint8_t>(seed * 13 + i);
    return k;
}

ops::Desired desired() {
    ops::Desired d;
    state::Link wg{"wg0"};
    state::Link bridge{"br0", "bridge", 1500, true, {}};
    d.state.links = {wg, bridge};
    d.state.addresses = {{"wg0", *Prefix::parse("10.8.0.1/16"), {}}};
    state::Route r;
    r.table = 51001;
    r.dst = *Prefix::parse("0.0.0.0/0");
    r.via = IpAddress::parse("203.0.113.1");
    r.dev = "eth0";
    d.state.routes = {r};
    state::Rule rule;
    rule.priority = 5100;
    rule.fwmark = 0x51;
    rule.table = 51001;
    d.state.rules = {rule};
    d.state.sysctls = {{"net.ipv4.ip_forward", "1"}};
    state::WgDevice dev;
    dev.ifname = "wg0";
    dev.backend = model::Backend::userspace;
    dev.listen_port = 51820;
    dev.private_key_file = "/var/lib/vpngw/wg0.key";
    state::WgPeer p;
    p.public_key = key(1);
    p.allowed_ips = {*Prefix::parse("10.8.1.2/32")};
    dev.peers = {p};
    d.state.wireguard = {dev};
    d.wg_public_keys["wg0"] = key(50);
    d.nft_hash = "0123";
    d.nft_elements = {{"peers4", *IpAddress::parse("10.8.1.2"), {}}};
    return d;
}

NoopInputs inputs_at(std::int64_t at) {
    return {std::string(64, 'b'), std::string(64, 'c'), sys_seconds{seconds{at}}};
}

NoopRecord sample() {
    auto r = describe_plan(desired(), {}, inputs_at(1765000000));
    if (!r) throw std::runtime_error("no record");
    r->nft.boot_id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    r->nft.netns = 4026531840;
    r->nft.genid = 27;
    return *r;
}

TEST(NoopProof, DescribesThePlan) {
    const auto d = desired();
    const auto r = sample();
    EXPECT_EQ(r.inputs, std::string(64, 'b'));
    EXPECT_EQ(r.nft.desired, exec::nft_desired_digest(d));
    ASSERT_EQ(r.wireguard.size(), 1u);
    EXPECT_EQ(r.wireguard[0].ifname, "wg0");
    EXPECT_EQ(r.wireguard[0].digest, exec::wg_digest(d.state.wireguard[0], key(50)));
    // Links, the address, the route, the rule and the sysctl, as the ops that make them.
    ASSERT_EQ(r.kernel.size(), 6u);
    const auto* wg = std::get_if<ops::LinkCreate>(&r.kernel[0].payload);
    ASSERT_NE(wg, nullptr);
    EXPECT_EQ(wg->backend, model::Backend::userspace);
    EXPECT_NE(std::get_if<ops::SysctlSet>(&r.kernel[5].payload), nullptr);
    EXPECT_EQ(r.until, 0);
}

TEST(NoopProof, HoldsUntilTheNextExpiry) {
    std::vector<model::Peer> peers(4);
    peers[0].expires = sys_seconds{seconds{1765000000}};  // at the start: counted as expired
    peers[1].expires = sys_seconds{seconds{1765009000}};
    peers[2].expires = sys_seconds{seconds{1765000500}};  // the next one
    auto r = describe_plan(desired(), peers, inputs_at(1765000000));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->until, 1765000500);
}

TEST(NoopProof, NoRecordWithoutTheDeviceKey) {
    auto d = desired();
    d.wg_public_keys["wg0"] = PublicKey{};  // `plan` without a key file: to be generated
    EXPECT_FALSE(describe_plan(d, {}, inputs_at(1)));
    d.wg_public_keys.clear();
    EXPECT_FALSE(describe_plan(d, {}, inputs_at(1)));
}

TEST(NoopProof, RoundTrips) {
    const std::string text = encode_noop_record(sample());
    auto decoded = decode_noop_record(text, "noop-proof");
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->nft, sample().nft);
    EXPECT_EQ(decoded->inputs, sample().inputs);
    EXPECT_EQ(decoded->keys, sample().keys);
    EXPECT_EQ(decoded->wireguard, sample().wireguard);
    EXPECT_EQ(encode_noop_record(*decoded), text);
}

// Records vpngw never writes: each must be no proof (and no crash).
TEST(NoopProof, RejectsHostileRecords) {
    const std::string good = encode_noop_record(sample());
    auto replaced = [&](const std::string& from, const std::string& to) {
        std::string s = good;
        auto at = s.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        return at == std::string::npos ? s : s.replace(at, from.size(), to);
    };
    const std::string wg_line = "wg wg0 " + sample().wireguard[0].digest;
    const std::string keys = sample().keys;
    const std::string hostile[] = {
        "",
        good.substr(0, good.find("\nops\n")),  // no ops
        replaced("vpngw-noop-proof 1", "vpngw-noop-proof 2"),
        replaced("genid 27", "genid -1"),
        replaced("boot 0f1e", "boot 0F1E"),
        replaced("inputs " + std::string(64, 'b'), "inputs " + std::string(63, 'b')),
        replaced("keys " + keys, "keys " + std::string(64, 'C')),
        replaced("until 0", "until -5"),
        replaced("until 0", "until x"),
        replaced(wg_line, "wg wg9 " + sample().wireguard[0].digest),  // not a recorded link
        replaced(wg_line, "wg wg0 " + std::string(64, 'g')),
        replaced(wg_line, "wg  " + sample().wireguard[0].digest),
        replaced("\ninputs", "\nkeys " + keys + "\ninputs"),                // out of order
        replaced("[[op]]", "[[op]]\nkind = \"nft_replace\"\n[[ignored]]"),  // broken ops
        good + "\n[[op]]\nkind = \"link_delete\"\n",                        // not a desired object
        good + std::string(1 << 20, '#'),                                   // oversized
    };
    for (const auto& text : hostile)
        EXPECT_FALSE(decode_noop_record(text, "noop-proof")) << text.substr(0, 400);
}

// A state directory with a registry, the fixture profile copied next to it.
struct Inputs {
    TempDir tmp;
    std::string state = tmp / "state";
    std::string profile = tmp / "profile.toml";
    std::shared_ptr<registry::Registry> reg;
    Inputs() {
        write_text(profile, read_text(kFixture));
        auto r = registry::open_sqlite_registry(state, {"tester", "test"});
        if (!r) throw std::runtime_error(r.error().str());
        reg = std::move(*r);
    }
    Session session(StoredPeers stored = StoredPeers::deferred) const {
        Options o;
        o.profile_path = profile;
        o.state_dir = state;
        Diagnostics diags;
        auto s = open_session(o, LockMode::none, diags, stored);
        if (!s) throw std::runtime_error(s.error().str());
        return std::move(*s);
    }
    NoopInputs now() const {
        auto i = fingerprint_inputs(session());
        if (!i) throw std::runtime_error("no fingerprint");
        return *i;
    }
};

TEST(NoopProof, InputsAreTheSameForTheSameInputs) {
    Inputs in;
    const auto a = in.now();
    const auto b = in.now();
    EXPECT_EQ(a.digest, b.digest);
    EXPECT_EQ(a.keys, b.keys);
    EXPECT_EQ(a.digest.size(), 64u);
}

TEST(NoopProof, InputsChangeWithWhatThePlanDependsOn) {
    Inputs in;
    auto before = in.now();
    auto differs = [&](const char* what) {
        const auto now = in.now();
        EXPECT_NE(now.digest, before.digest) << what;
        before = now;
    };
    write_text(in.profile, read_text(in.profile) + "\n# edited\n");
    differs("the profile text");
    registry::PeerRecord p;
    p.name = "carol";
    p.group = "staff";
    p.public_key = key(7);
    p.address = IpAddress::parse("10.77.1.40");
    ASSERT_TRUE(in.reg->add(p, nullptr, {"tester", "peer add"}).ok());
    differs("a registry peer added");
    write_text(in.state + "/health.tsv", "# vpngw health v1\nwan0\tdown\t3\t0\t1765000000\t\n");
    differs("an uplink down");
    // The monitor rewrites its file every round: only the down set counts.
    write_text(in.state + "/health.tsv", "# vpngw health v1\nwan0\tdown\t4\t0\t1765000010\tx\n");
    EXPECT_EQ(in.now().digest, before.digest);
}

TEST(NoopProof, KeysAreApart) {
    Inputs in;
    const auto before = in.now();
    write_text(in.state + "/vpngwpt0.key", "YAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n");
    ::chmod((in.state + "/vpngwpt0.key").c_str(), 0600);
    const auto after = in.now();
    EXPECT_NE(after.keys, before.keys);
    EXPECT_EQ(after.digest, before.digest);
}

TEST(NoopProof, NoFingerprintWhereItCannotBeCheap) {
    Inputs in;
    EXPECT_FALSE(fingerprint_inputs(in.session(StoredPeers::merged)));
    EXPECT_FALSE(fingerprint_inputs(in.session(StoredPeers::none)));
    write_text(in.state + "/health.tsv", "not a health file\n");
    EXPECT_FALSE(fingerprint_inputs(in.session()));
}

}  // namespace
}  // namespace vpngw::gateway::test
