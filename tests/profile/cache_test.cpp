// The profile cache (profile/cache.hpp): a second load of the same text takes
// the peers from <state_dir>/profile.cache and gives what a full load gives;
// a changed text, a corrupt record or one not sealed with the state
// directory's key is ignored and the profile loaded in full.
#include "profile/cache.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "cache_support.hpp"
#include "profile/loader.hpp"
#include "support/temp_dir.hpp"

namespace vpngw::profile {
namespace {

using test::profile_head;

std::string key_for(int i) {
    return test::test_key("cache-peer", i);
}

// `peers` inline peers over two groups; every fourth has a fixed address,
// one a network and a keepalive; one name is no DNS label (a warning).
std::string profile_text(int peers, const std::string& state_dir) {
    std::string t = profile_head(state_dir, R"(["10.64.0.1/10"])") + R"(
[[group]]
name = "g0"
subnet = "10.64.0.0/16"

[[group]]
name = "g1"
subnet = "10.65.0.0/16"
)";
    for (int i = 0; i < peers; ++i) {
        t += "\n[[peer]]\nname = \"p" + std::string(i == 9 ? "_" : "") + std::to_string(i) +
             "\"\ngroup = \"g" + std::to_string(i % 2) + "\"\npublic_key = \"" + key_for(i) +
             "\"\n";
        if (i % 4 == 0)
            t += "address = \"10.6" + std::to_string(4 + i % 2) + ".1." +
                 std::to_string(i / 4 % 250 + 1) + "\"\n";
        if (i == 7) t += "keepalive = 25\nnetworks = [\"192.168.7.0/24\"]\n";
        if (i == 4) t += "extra_addresses = [\"10.64.9.9\"]\n";
        if (i == 6) t += "address = \"none\"\n";
    }
    t += "\n[dns]\nzone = \"vpn.example\"\n\n[firewall]\nmanagement = { port = 22, allow = "
         "[\"0.0.0.0/0\"] }\n";
    return t;
}

// The sixth peer's key replaced: the same tables, another text.
std::string replace_peer_key(std::string text) {
    const auto at = text.find(key_for(5));
    return text.replace(at, key_for(5).size(), key_for(100005));
}

std::string diagnostics_of(const LoadResult& r) {
    std::string out;
    for (const auto& d : r.diagnostics.all()) out += d.str() + "\n";
    return out;
}

std::string location_text(const Location& l) {
    return l.str();
}

// Everything of a peer, as text, so two loads compare field by field.
std::string peer_text(const model::Peer& p) {
    std::ostringstream o;
    o << p.name << '|' << p.group << '|' << p.public_key.base64() << '|'
      << (p.address ? p.address->str() : "-") << '|' << (p.address6 ? p.address6->str() : "-")
      << '|' << p.preshared_key_file << '|' << p.keepalive.value_or(-1) << '|' << p.disabled << '|'
      << (p.expires ? p.expires->time_since_epoch().count() : -1) << '|'
      << (p.quota ? p.quota->bytes : 0) << '|' << p.rate_bits.value_or(0) << '|';
    for (const auto& n : p.networks) o << n.str() << ',';
    o << '|' << p.no_address << p.no_address6 << '|';
    for (const auto& a : p.extra_addresses) o << a.str() << ',';
    o << '|' << location_text(p.origin.table);
    for (const auto& [k, v] : p.origin.fields) o << ';' << k << '=' << location_text(v);
    return o.str();
}

// Field places are dropped by load_file_cached (profile/cache.hpp).
std::string peers_text(const LoadResult& r) {
    std::string out;
    for (auto p : r.profile->peers) {
        p.origin.fields.clear();
        out += peer_text(p) + "\n";
    }
    return out;
}

class ProfileCache : public test::StateDirTest {
  protected:
    LoadResult load(CacheUse& use) { return load_file_cached(path, state, &use); }
    std::string cache_bytes() const {
        std::ifstream in(cache_file, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), {}};
    }
    // The state directory's seal, as vpngw made it.
    void read_seal(CacheSeal& seal) const {
        std::ifstream in(seal_file, std::ios::binary);
        const std::string raw{std::istreambuf_iterator<char>(in), {}};
        ASSERT_EQ(raw.size(), seal.key.size());
        std::copy(raw.begin(), raw.end(), seal.key.begin());
    }

    std::string cache_file = state + "/" + kCacheFile;
    std::string seal_file = state + "/" + kCacheSealFile;
};

TEST_F(ProfileCache, SecondLoadOfTheSameTextHitsAndEqualsAFullLoad) {
    write(profile_text(300, state));
    const auto full = load_file(path);
    ASSERT_TRUE(full.profile) << diagnostics_of(full);
    ASSERT_GT(full.diagnostics.warning_count(), 0u);  // the cache must carry warnings too

    CacheUse first{}, second{};
    const auto written = load(first);
    EXPECT_EQ(first, CacheUse::written);
    const auto hit = load(second);
    EXPECT_EQ(second, CacheUse::hit);
    for (const auto* r : {&written, &hit}) {
        ASSERT_TRUE(r->profile);
        EXPECT_EQ(peers_text(*r), peers_text(full));
        EXPECT_EQ(diagnostics_of(*r), diagnostics_of(full));
        EXPECT_EQ(r->profile->groups.size(), full.profile->groups.size());
        ASSERT_TRUE(r->profile->firewall.management);
    }
}

TEST_F(ProfileCache, FewPeersGetNoCacheFile) {
    write(profile_text(static_cast<int>(kCacheMinPeers) - 1, state));
    CacheUse use{};
    ASSERT_TRUE(load(use).profile);
    EXPECT_EQ(use, CacheUse::none);
    EXPECT_EQ(mode_of(cache_file), -1);
}

TEST_F(ProfileCache, AChangedTextMissesAndIsLoadedInFull) {
    write(profile_text(300, state));
    CacheUse use{};
    ASSERT_TRUE(load(use).profile);
    write(replace_peer_key(profile_text(300, state)));
    const auto changed = load(use);
    EXPECT_EQ(use, CacheUse::written);
    ASSERT_TRUE(changed.profile);
    EXPECT_EQ(peers_text(changed), peers_text(load_file(path)));
    EXPECT_EQ(changed.profile->peers[5].public_key.base64(), key_for(100005));
    EXPECT_EQ(load(use).profile->peers[5].public_key.base64(), key_for(100005));
    EXPECT_EQ(use, CacheUse::hit);
}

TEST_F(ProfileCache, AnErrorInTheTextIsReportedNotServedFromTheCache) {
    write(profile_text(300, state));
    CacheUse use{};
    ASSERT_TRUE(load(use).profile);
    // The same peers, with one now in a group that does not exist.
    std::string text = profile_text(300, state);
    text.replace(text.find("group = \"g1\""), 12, "group = \"gX\"");
    write(text);
    const auto bad = load(use);
    EXPECT_FALSE(bad.profile);
    EXPECT_NE(diagnostics_of(bad).find("undefined group \"gX\""), std::string::npos);
    EXPECT_EQ(use, CacheUse::none);
}

TEST_F(ProfileCache, ACorruptCacheIsIgnoredAndRebuilt) {
    write(profile_text(300, state));
    CacheUse use{};
    ASSERT_TRUE(load(use).profile);
    std::string bytes = cache_bytes();
    ASSERT_GT(bytes.size(), 1000u);
    bytes[bytes.size() / 2] ^= 0x40;
    std::ofstream(cache_file, std::ios::binary | std::ios::trunc) << bytes;
    const auto r = load(use);
    EXPECT_EQ(use, CacheUse::written);
    ASSERT_TRUE(r.profile);
    EXPECT_EQ(peers_text(r), peers_text(load_file(path)));
    load(use);
    EXPECT_EQ(use, CacheUse::hit);
}

// A hit runs no check across the peers again: what stops a forged record is
// the seal. A record with a valid plain checksum, or sealed with any other
// key, whose peers break what the profile loader guarantees is not served.
TEST_F(ProfileCache, ARecordNotSealedWithTheStateDirectorysKeyIsNotServed) {
    write(profile_text(300, state));
    CacheUse use{};
    const auto full = load(use);
    ASSERT_TRUE(full.profile);
    struct stat st {};
    ASSERT_EQ(stat(seal_file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    using Forge = void (*)(std::vector<model::Peer>&);
    const std::pair<const char*, Forge> forgeries[] = {
        {"an address outside its group",
         [](auto& peers) { peers[0].address = IpAddress::parse("10.99.0.1"); }},
        {"a routed network inside a group's subnet",
         [](auto& peers) { peers[1].networks = {*Prefix::parse("10.64.200.0/24")}; }},
        {"a key twice", [](auto& peers) { peers[2].public_key = peers[3].public_key; }},
        {"a name twice", [](auto& peers) { peers[2].name = peers[3].name; }},
        {"a group that does not exist", [](auto& peers) { peers[4].group = "nope"; }},
    };
    CacheSeal other;  // what a forger without the state directory's seal has
    other.key.fill(0);
    for (const auto& [what, forge] : forgeries) {
        CacheSeal seal;
        read_seal(seal);
        auto cache = decode_cache(cache_bytes(), seal);
        ASSERT_TRUE(cache) << what;
        forge(cache->peers);
        std::ofstream(cache_file, std::ios::binary | std::ios::trunc)
            << encode_cache(*cache, other);
        const auto r = load(use);
        EXPECT_EQ(use, CacheUse::written) << what;  // loaded in full, cache rebuilt
        ASSERT_TRUE(r.profile) << what;
        EXPECT_EQ(peers_text(r), peers_text(full)) << what;
    }
}

// Without its seal a cache is worth nothing: a new seal is made and the
// profile loaded in full; the cache sealed with the old one is not served.
TEST_F(ProfileCache, AMissingSealIsMadeAgainAndTheCacheRebuilt) {
    write(profile_text(300, state));
    CacheUse use{};
    const auto full = load(use);
    ASSERT_EQ(use, CacheUse::written);
    CacheSeal before;
    read_seal(before);
    ASSERT_EQ(unlink(seal_file.c_str()), 0);
    auto r = load(use);
    EXPECT_EQ(use, CacheUse::written);
    ASSERT_TRUE(r.profile);
    EXPECT_EQ(peers_text(r), peers_text(full));
    CacheSeal after;
    read_seal(after);
    EXPECT_NE(before.key, after.key);
    EXPECT_FALSE(decode_cache(cache_bytes(), before));
    r = load(use);
    EXPECT_EQ(use, CacheUse::hit);
    EXPECT_EQ(peers_text(r), peers_text(full));
}

TEST(ProfileCacheCodec, EveryTruncationDecodesToNothing) {
    CachedProfile c;
    c.source = "/etc/vpngw/p.toml";
    c.peer_lines = {{3, 7}};
    c.diagnostics.push_back({Severity::warning, {"/etc/vpngw/p.toml", 2, 1}, "careful"});
    model::Peer p;
    p.name = "alice";
    p.group = "g0";
    p.address = IpAddress::parse("10.0.0.2");
    p.networks.push_back(*Prefix::parse("192.168.1.0/24"));
    p.quota = model::Quota{1000, model::QuotaPeriod::day};
    p.origin.table = {"/etc/vpngw/p.toml", 3, 1};
    c.peers.push_back(p);
    CacheSeal seal, other;
    seal.key.fill(7);
    other.key.fill(7);
    other.key[31] = 8;
    const std::string bytes = encode_cache(c, seal);
    EXPECT_FALSE(decode_cache(bytes, other));
    const auto back = decode_cache(bytes, seal);
    ASSERT_TRUE(back);
    ASSERT_EQ(back->peers.size(), 1u);
    EXPECT_EQ(peer_text(back->peers[0]), peer_text(p));
    EXPECT_EQ(back->diagnostics.at(0).str(), c.diagnostics[0].str());
    for (std::size_t n = 0; n < bytes.size(); ++n)
        EXPECT_FALSE(decode_cache(std::string_view(bytes).substr(0, n), seal)) << n;
}

TEST(ProfileCacheText, BlankedLinesKeepTheLineNumbersOfTheRest) {
    const std::string text = "a\nb = 1\nc\nd\ne";
    EXPECT_EQ(blank_lines(text, {{2, 3}}), std::optional<std::string>("a\n\n\nd\ne"));
    EXPECT_EQ(blank_lines(text, {{5, 5}, {1, 1}}), std::optional<std::string>("\nb = 1\nc\nd\n"));
    EXPECT_FALSE(blank_lines(text, {{4, 6}}));
    EXPECT_FALSE(blank_lines(text, {{1, 3}, {3, 4}}));
    EXPECT_FALSE(blank_lines(text, {{0, 1}}));
    EXPECT_FALSE(blank_lines(text, {{5, 5}, {5, 5}}));
    EXPECT_FALSE(blank_lines(text, {{6, 6}}));
    // A text that ends in a newline has an empty last line.
    EXPECT_EQ(blank_lines("a\nb\n", {{2, 3}}), std::optional<std::string>("a\n\n"));
    EXPECT_EQ(blank_lines("a\nb\n", {{1, 1}, {2, 2}}), std::optional<std::string>("\n\n"));
    EXPECT_FALSE(blank_lines("a\nb\n", {{3, 4}}));
}

TEST(ProfileCacheText, StateDirHintReadsThePlainForm) {
    EXPECT_EQ(state_dir_hint("[gateway]\nname = \"x\"\nstate_dir = \"/srv/v\"\n"), "/srv/v");
    EXPECT_EQ(state_dir_hint("[other]\nstate_dir = \"/srv/v\"\n"), "/var/lib/vpngw");
    EXPECT_EQ(state_dir_hint("[gateway]\nstate_dir = \"/a\\\\b\"\n"), "/var/lib/vpngw");
}

}  // namespace
}  // namespace vpngw::profile
