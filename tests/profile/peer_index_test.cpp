// The profile index (profile/peer_index.hpp): every lookup answers what the
// profile's peers say; a block or header not sealed with the state
// directory's key is never an answer; load_file_indexed serves the profile
// without its peers only for the text the index was written for.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <fstream>

#include "cache_support.hpp"
#include "profile/cache.hpp"
#include "profile/loader.hpp"
#include "support/temp_dir.hpp"

namespace vpngw::profile {
namespace {

using test::profile_head;

std::string key_for(int i) {
    return test::test_key("index-peer", i);
}

// Peer i: group g(i % 3); g0 and g1 IPv4 (g1 also IPv6), g2 IPv6 only.
// Addresses run in stretches with a gap after every 50th, so the runs
// section has many records.
std::string v4_of(int i) {
    const int k = i / 3 + 1 + i / 150;  // a gap every 50 peers of a group
    return "10." + std::to_string(64 + i % 3) + "." + std::to_string(k / 256) + "." +
           std::to_string(k % 256);
}
std::string v6_of(int i) {
    const int k = i / 3 + 1 + i / 150;
    return "fd00:" + std::to_string(i % 3) + "::" + std::to_string(k);
}

std::string profile_text(int peers, const std::string& state_dir, bool one_allocated = false) {
    std::string t = profile_head(state_dir, R"(["10.127.255.254/10", "fd00:ff::1/16"])") + R"(
[[group]]  # IPv4
subnet = "10.64.0.0/16"
name = "g0"

[[group]]  # both
subnet = "10.65.0.0/16"
subnet6 = "fd00:1::/64"
name = "g1"

[[group]]
name = "g2"
subnet6 = "fd00:2::/64"

[firewall]
management = { port = 22, allow = ["0.0.0.0/0"] }
)";
    for (int i = 0; i < peers; ++i) {
        t += "\n[[peer]]\nname = \"p" + std::to_string(i) + "\"\ngroup = \"g" +
             std::to_string(i % 3) + "\"\npublic_key = \"" + key_for(i) + "\"\n";
        if (i % 3 != 2 && !(one_allocated && i == 4)) t += "address = \"" + v4_of(i) + "\"\n";
        if (i % 3 != 0) t += "address6 = \"" + v6_of(i) + "\"\n";
    }
    return t;
}

class PeerIndex : public test::StateDirTest {
  protected:
    // A load that writes the cache and the index, then one from the index.
    IndexedLoad write_and_index(int peers, std::chrono::nanoseconds settle = kStampSettle) {
        write(profile_text(peers, state));
        CacheUse use{};
        EXPECT_TRUE(load_file_cached(path, state, &use).profile);
        EXPECT_EQ(use, CacheUse::written);
        return load_file_indexed(path, state, settle);
    }
    std::string index_bytes() const {
        std::ifstream in(index_file, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), {}};
    }
    void put_index(const std::string& bytes) {
        std::ofstream(index_file, std::ios::binary | std::ios::trunc) << bytes;
    }

    std::string index_file = state + "/" + kIndexFile;
};

TEST_F(PeerIndex, EveryLookupAnswersWhatTheProfileSays) {
    constexpr int kPeers = 1200;
    const auto indexed = write_and_index(kPeers);
    ASSERT_TRUE(indexed.loaded.profile);
    ASSERT_TRUE(indexed.declared);
    const auto& d = *indexed.declared;
    EXPECT_TRUE(indexed.loaded.profile->peers.empty());
    EXPECT_EQ(indexed.loaded.profile->groups.size(), 3u);
    EXPECT_EQ(d.size(), std::size_t{kPeers});
    EXPECT_EQ(d.count("g0") + d.count("g1") + d.count("g2"), std::size_t{kPeers});
    EXPECT_EQ(d.count("g1"), std::size_t{kPeers / 3});
    EXPECT_EQ(d.count("nope"), 0u);

    const auto full = load_file(path);
    ASSERT_TRUE(full.profile);
    for (const auto& p : full.profile->peers) {
        auto by_name = d.by_name(p.name);
        ASSERT_TRUE(by_name.ok() && *by_name) << p.name;
        EXPECT_EQ((*by_name)->table, p.origin.table) << p.name;
        auto by_key = d.by_key(p.public_key);
        ASSERT_TRUE(by_key.ok() && *by_key)
            << p.name << (by_key.ok() ? "" : by_key.error().message);
        EXPECT_EQ((*by_key)->name, p.name);
        for (const auto& a : {p.address, p.address6}) {
            if (!a) continue;
            auto owner = d.by_address(*a);
            ASSERT_TRUE(owner.ok() && *owner) << a->str();
            EXPECT_EQ((*owner)->name, p.name);
            EXPECT_EQ((*owner)->table, p.origin.table);
            // The run that holds it ends before the next gap of the group.
            auto end = d.run_end(p.group, *a);
            ASSERT_TRUE(end.ok() && *end) << a->str();
            EXPECT_GE(**end, *a);
            auto past = d.run_end(p.group, (*end)->plus(1));
            ASSERT_TRUE(past.ok());
            EXPECT_FALSE(*past) << (*end)->plus(1).str();
            // Another group holds none of it.
            auto other = d.run_end(p.group == "g0" ? "g1" : "g0", *a);
            ASSERT_TRUE(other.ok());
            EXPECT_FALSE(*other);
        }
    }
    for (const char* absent : {"p", "p1200", "q0", "", "0123456789abcde"}) {
        auto r = d.by_name(absent);
        ASSERT_TRUE(r.ok());
        EXPECT_FALSE(*r) << absent;
    }
    auto r = d.by_key(*PublicKey::from_base64(key_for(kPeers)));
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(*r);
    for (const char* a :
         {"10.64.0.0", "10.64.0.51", "10.127.255.254", "10.66.0.1", "fd00:1::ffff"}) {
        auto owner = d.by_address(*IpAddress::parse(a));
        ASSERT_TRUE(owner.ok());
        EXPECT_FALSE(*owner) << a;
    }
}

TEST_F(PeerIndex, PeersItCannotStandForLoadInFullAndLeaveNoIndex) {
    write(profile_text(300, state, /*one_allocated=*/true));
    CacheUse use{};
    ASSERT_TRUE(load_file_cached(path, state, &use).profile);
    EXPECT_EQ(use, CacheUse::written);
    EXPECT_EQ(access(index_file.c_str(), F_OK), -1);
    const auto r = load_file_indexed(path, state);
    ASSERT_TRUE(r.loaded.profile);
    EXPECT_FALSE(r.declared);
    EXPECT_EQ(r.loaded.profile->peers.size(), 300u);
}

TEST_F(PeerIndex, AChangedTextIsLoadedInFullWhateverTheStamp) {
    for (auto settle : {std::chrono::nanoseconds(0), std::chrono::nanoseconds(kStampSettle)}) {
        auto first = write_and_index(300, settle);
        ASSERT_TRUE(first.declared);
        // Another key for p5: same length, same tables.
        std::string text = profile_text(300, state);
        text.replace(text.find(key_for(5)), key_for(5).size(), key_for(100005));
        write(text);
        const auto r = load_file_indexed(path, state, settle);
        ASSERT_TRUE(r.loaded.profile);
        EXPECT_FALSE(r.declared);
        ASSERT_EQ(r.loaded.profile->peers.size(), 300u);
        EXPECT_EQ(r.loaded.profile->peers[5].public_key.base64(), key_for(100005));
        // That load wrote both again: the next is from the index.
        const auto again = load_file_indexed(path, state, settle);
        ASSERT_TRUE(again.declared);
        auto k = again.declared->by_key(*PublicKey::from_base64(key_for(100005)));
        ASSERT_TRUE(k.ok() && *k);
        EXPECT_EQ((*k)->name, "p5");
    }
}

// A forger without the state directory's seal: any byte changed in a block
// makes the lookups that read it errors (and removes the index); any byte
// changed in the header keeps the index from opening (a full load instead).
TEST_F(PeerIndex, ATamperedIndexIsNeverAnAnswer) {
    ASSERT_TRUE(write_and_index(1200).declared);
    const std::string good = index_bytes();
    ASSERT_GT(good.size(), 4 * 4096u);

    // The last byte of the file: the seal of the last block of runs.
    for (std::size_t at : {good.size() - 1, good.size() / 2, good.size() - 5000}) {
        std::string bad = good;
        bad[at] ^= 0x01;
        put_index(bad);
        const auto r = load_file_indexed(path, state);
        ASSERT_TRUE(r.declared) << at;  // the header is intact
        bool failed = false;
        const auto full = load_file(path);
        for (const auto& p : full.profile->peers) {
            auto n = r.declared->by_name(p.name);
            auto k = r.declared->by_key(p.public_key);
            auto a = p.address ? r.declared->by_address(*p.address)
                               : Result<std::optional<DeclaredPeer>>(std::nullopt);
            auto e = p.address ? r.declared->run_end(p.group, *p.address)
                               : Result<std::optional<IpAddress>>(std::nullopt);
            for (const auto* x : {&n, &k, &a}) {
                if (x == &a && !p.address) continue;
                if (!x->ok()) {
                    failed = true;
                    EXPECT_NE(x->error().message.find("does not match its seal"),
                              std::string::npos);
                } else if (x->value().has_value()) {
                    EXPECT_EQ(x->value()->name, p.name);  // an answer is a true one
                } else {
                    ADD_FAILURE() << p.name << " not found in a tampered index (byte " << at << ")";
                }
            }
            if (!e.ok()) failed = true;
        }
        EXPECT_TRUE(failed) << at;
        EXPECT_EQ(access(index_file.c_str(), F_OK), -1) << at;  // removed
    }

    // Header bytes (magic, length, fields, seal): it does not open.
    const std::size_t header_end = 22 + 4 + 64;
    for (std::size_t at = 0; at < header_end; ++at) {
        std::string bad = good;
        bad[at] ^= 0x20;
        put_index(bad);
        const auto r = load_file_indexed(path, state);
        ASSERT_TRUE(r.loaded.profile) << at;
        EXPECT_FALSE(r.declared) << at;
        EXPECT_EQ(r.loaded.profile->peers.size(), 1200u);
    }
    // Sealed with another key: does not open.
    CacheSeal other;
    other.key.fill(3);
    const auto loaded = load_file(path);
    IndexHeader h;
    h.source = path;
    h.base_dir = tmp.path();
    auto forged = encode_peer_index(h, *loaded.profile, other);
    ASSERT_TRUE(forged);
    put_index(*forged);
    EXPECT_FALSE(load_file_indexed(path, state).declared);
    // Every truncation: it does not open, or a lookup that reads past the
    // end is an error.
    for (std::size_t n : {std::size_t{0}, std::size_t{10}, std::size_t{100}, good.size() - 1}) {
        put_index(good.substr(0, n));
        const auto r = load_file_indexed(path, state);
        if (!r.declared) continue;
        auto e = r.declared->run_end("g2", *IpAddress::parse(v6_of(1199)));
        EXPECT_FALSE(e.ok()) << n;
    }
}

// The stamp path: a settled stamp of the same file stands for its text; a
// rewrite changes the stamp (ctime) even with the same size and times put
// back, so the text is read and its digest compared.
TEST_F(PeerIndex, AFileRewrittenWithItsTimesPutBackIsStillReadAgain) {
    ASSERT_TRUE(write_and_index(300, std::chrono::nanoseconds(0)).declared);
    struct stat before {};
    ASSERT_EQ(stat(path.c_str(), &before), 0);
    // File times come from the kernel's coarse clock: wait (bounded) until it
    // has moved past the first write's, so the rewrite gets another ctime.
    for (int i = 0; i < 1'000'000; ++i) {
        timespec now{};
        clock_gettime(CLOCK_REALTIME_COARSE, &now);
        if (now.tv_sec > before.st_ctim.tv_sec ||
            (now.tv_sec == before.st_ctim.tv_sec && now.tv_nsec > before.st_ctim.tv_nsec))
            break;
        sched_yield();
    }
    std::string text = profile_text(300, state);
    text.replace(text.find(key_for(5)), key_for(5).size(), key_for(100005));
    write(text);
    const timespec times[2] = {before.st_atim, before.st_mtim};
    ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
    const auto r = load_file_indexed(path, state, std::chrono::nanoseconds(0));
    ASSERT_TRUE(r.loaded.profile);
    EXPECT_FALSE(r.declared);
    EXPECT_EQ(r.loaded.profile->peers[5].public_key.base64(), key_for(100005));
}

}  // namespace
}  // namespace vpngw::profile
