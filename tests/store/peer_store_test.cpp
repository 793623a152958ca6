#include "store/peer_store.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <thread>

#include "store/atomic_file.hpp"
#include "store/state_lock.hpp"
#include "support/temp_dir.hpp"

namespace vpngw::store {
namespace {

using namespace std::chrono;

PublicKey key_from(std::uint8_t seed) {
    PublicKey k;
    for (std::size_t i = 0; i < k.bytes.size(); ++i)
        k.bytes[i] = static_cast<std::uint8_t>(seed + i);
    return k;
}

StoredPeer peer(const std::string& name, std::uint8_t seed, const char* v4, const char* v6,
                bool psk) {
    StoredPeer p;
    p.name = name;
    p.group = "staff";
    p.public_key = key_from(seed);
    if (v4) p.address = IpAddress::parse(v4);
    if (v6) p.address6 = IpAddress::parse(v6);
    p.has_psk = psk;
    p.created = sys_seconds{seconds{1714564800 + seed}};  // 2024-05-01T12:00:00Z + seed
    return p;
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

TEST(PeerStore, MissingFileIsAnEmptyState) {
    TempDir tmp;
    auto s = load_peers(StatePaths{tmp / "state"});
    ASSERT_TRUE(s.ok()) << s.error().str();
    EXPECT_TRUE(s->peers.empty());
}

TEST(PeerStore, RoundTrip) {
    TempDir tmp;
    StatePaths paths{tmp / "state"};
    PeerState in;
    in.peers = {peer("alice-phone", 1, "10.8.1.2", "fd08:0:0:1::2", true),
                peer("bob", 2, "10.8.1.3", nullptr, false),
                peer("c.v6+only=x_y", 3, nullptr, "fd08:0:0:1::4", true)};
    ASSERT_TRUE(save_peers(paths, in).ok());
    auto out = load_peers(paths);
    ASSERT_TRUE(out.ok()) << out.error().str();
    EXPECT_EQ(out->peers, in.peers);
    ASSERT_NE(out->find("bob"), nullptr);
    EXPECT_EQ(out->find("nobody"), nullptr);

    const std::string text = format_peers(in);
    EXPECT_EQ(text.rfind("vpngw-peers 2\n", 0), 0u) << text;
    EXPECT_NE(text.find("\nalice-phone\tstaff\t" + key_from(1).base64() +
                        "\t10.8.1.2\tfd08:0:0:1::2\tpsk\t2024-05-01T12:00:01Z\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("\nbob\tstaff\t" + key_from(2).base64() +
                        "\t10.8.1.3\t-\t-\t2024-05-01T12:00:02Z\n"),
              std::string::npos)
        << text;
}

// Large states stay exact (the add path reads and writes the whole file).
TEST(PeerStore, TenThousandPeersRoundTrip) {
    TempDir tmp;
    StatePaths paths{tmp / "state"};
    PeerState in;
    for (int i = 1; i <= 10000; ++i) {
        StoredPeer p;
        p.name = "p" + std::to_string(i);
        p.group = i % 2 ? "staff" : "servers";
        for (std::size_t b = 0; b < p.public_key.bytes.size(); ++b)
            p.public_key.bytes[b] = static_cast<std::uint8_t>((i >> (8 * (b % 3))) + b);
        p.address = IpAddress::v4(0x0a080000u + static_cast<std::uint32_t>(i));
        if (i % 3) p.address6 = IpAddress::parse("fd08::")->plus(static_cast<std::uint64_t>(i));
        p.has_psk = i % 5 == 0;
        p.created = sys_seconds{seconds{1714564800 + i * 3601}};
        in.peers.push_back(std::move(p));
    }
    ASSERT_TRUE(save_peers(paths, in).ok());
    auto out = load_peers(paths);
    ASSERT_TRUE(out.ok()) << out.error().str();
    EXPECT_EQ(out->peers, in.peers);
}

// A state directory written by earlier versions (TOML) is read, and the
// first save replaces it with the line format.
TEST(PeerStore, LegacyTomlIsReadAndMigratedOnSave) {
    TempDir tmp;
    StatePaths paths{tmp.path()};
    write_text(paths.legacy_peers_file(),
               "version = 1\n\n[[peer]]\nname = \"alice\"\ngroup = \"staff\"\n"
               "public_key = \"" +
                   key_from(1).base64() +
                   "\"\naddress = \"10.8.1.2\"\naddress6 = \"fd08:0:0:1::2\"\n"
                   "has_psk = true\ncreated = 2024-05-01T12:00:01Z\n");
    auto legacy = load_peers(paths);
    ASSERT_TRUE(legacy.ok()) << legacy.error().str();
    ASSERT_EQ(legacy->peers.size(), 1u);
    EXPECT_EQ(legacy->peers[0], peer("alice", 1, "10.8.1.2", "fd08:0:0:1::2", true));

    legacy->peers.push_back(peer("bob", 2, "10.8.1.3", nullptr, false));
    ASSERT_TRUE(save_peers(paths, *legacy).ok());
    EXPECT_EQ(mode_of(paths.legacy_peers_file()), -1) << "the TOML file is gone";
    EXPECT_EQ(mode_of(paths.peers_file()), 0600);
    auto migrated = load_peers(paths);
    ASSERT_TRUE(migrated.ok()) << migrated.error().str();
    EXPECT_EQ(migrated->peers, legacy->peers);
}

// After a crash between writing peers.tsv and removing peers.toml, the
// newer file wins.
TEST(PeerStore, LineFormatWinsOverALeftoverToml) {
    TempDir tmp;
    StatePaths paths{tmp.path()};
    PeerState st;
    st.peers.push_back(peer("new", 1, "10.8.1.2", nullptr, false));
    ASSERT_TRUE(save_peers(paths, st).ok());
    write_text(paths.legacy_peers_file(), "version = 1\n");
    auto s = load_peers(paths);
    ASSERT_TRUE(s.ok()) << s.error().str();
    EXPECT_EQ(s->peers, st.peers);
}

TEST(PeerStore, LegacyCreatedOffsetIsConvertedToUtc) {
    TempDir tmp;
    StatePaths paths{tmp.path()};
    write_text(paths.legacy_peers_file(),
               "version = 1\n[[peer]]\nname = \"a\"\ngroup = \"g\"\n"
               "public_key = \"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\"\n"
               "created = 2024-05-01T14:00:00+02:00\n");
    auto s = load_peers(paths);
    ASSERT_TRUE(s.ok()) << s.error().str();
    ASSERT_EQ(s->peers.size(), 1u);
    EXPECT_EQ(s->peers[0].created, sys_seconds{seconds{1714564800}});
    EXPECT_FALSE(s->peers[0].has_psk);
    EXPECT_EQ(s->peers[0].public_key, key_from(1));
}

// Each case: the file text, the line (and for the line format the column)
// its error must name, and words of the message.
struct BadFile {
    std::string text;
    int line;
    const char* words;
    int column = 0;  // 0: not checked
};

// Keeps ctest names readable (the default prints the struct's bytes).
void PrintTo(const BadFile& b, std::ostream* os) {
    *os << "line " << b.line << " " << b.words;
}

void expect_located(const Result<PeerState>& s, const std::string& file, const BadFile& bad) {
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().where.file, file);
    EXPECT_EQ(s.error().where.line, bad.line) << s.error().str();
    if (bad.column) {
        EXPECT_EQ(s.error().where.column, bad.column) << s.error().str();
    }
    EXPECT_NE(s.error().str().find(file + ":" + std::to_string(bad.line)), std::string::npos)
        << s.error().str();
    EXPECT_NE(s.error().message.find(bad.words), std::string::npos) << s.error().str();
}

class PeerStoreErrors : public ::testing::TestWithParam<BadFile> {};

TEST_P(PeerStoreErrors, NameFileLineAndField) {
    TempDir tmp;
    StatePaths paths{tmp.path()};
    write_text(paths.peers_file(), GetParam().text);
    expect_located(load_peers(paths), paths.peers_file(), GetParam());
}

const std::string kKeyA = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
const std::string kKeyB = "AgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICE=";
const std::string kHead =
    "vpngw-peers 2\n# name\tgroup\tpublic_key\taddress\taddress6\tpsk\tcreated\n";
const std::string kTime = "2024-05-01T12:00:00Z";
std::string line(const std::string& name, const std::string& key, const std::string& v4,
                 const std::string& v6 = "-", const std::string& psk = "-",
                 const std::string& created = kTime) {
    return name + "\tg\t" + key + "\t" + v4 + "\t" + v6 + "\t" + psk + "\t" + created + "\n";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PeerStoreErrors,
    ::testing::Values(
        BadFile{"version = 1\n", 1, "first line must be \"vpngw-peers 2\"", 1},
        BadFile{"vpngw-peers 3\n", 1, "first line", 1}, BadFile{"", 1, "empty peers file"},
        BadFile{kHead + line("a", kKeyA, "10.8.1.2") + "a\tg\tkey\n", 4, "7 tab-separated fields",
                1},
        BadFile{kHead + "a\tg\tshort\t-\t-\t-\t" + kTime + "\n", 3, "public_key: not 44", 5},
        BadFile{kHead + line("a", kKeyA, "-") + "\n# comment\n" + line("a", kKeyB, "-"), 6,
                "name: duplicate peer name \"a\"", 1},
        BadFile{kHead + line("a", kKeyA, "-") + line("b", kKeyA, "-"), 4,
                "public_key: peer b repeats another peer's public key", 5},
        BadFile{kHead + line("a", kKeyA, "10.8.1.2") + line("b", kKeyB, "10.8.1.2"), 4,
                "address: peer b repeats address 10.8.1.2", 50},
        BadFile{kHead + line("a", kKeyA, "-", "fd08::1") + line("b", kKeyB, "-", "fd08::1"), 4,
                "address6: peer b repeats address fd08::1", 52},
        // The first problem in file order wins, whatever its kind.
        BadFile{kHead + line("a", kKeyA, "-") + line("b", kKeyA, "-") + line("a", kKeyB, "-"), 4,
                "public_key: peer b repeats another peer's public key", 5},
        BadFile{kHead + line("a", kKeyA, "-") + line("a", kKeyB, "-") + "a\tg\tkey\n", 4,
                "name: duplicate peer name \"a\"", 1},
        BadFile{kHead + line("a", kKeyA, "fd08::1"), 3, "address: must be an IPv4", 50},
        BadFile{kHead + line("a", kKeyA, "-", "10.8.1.2"), 3, "address6: must be an IPv6", 52},
        BadFile{kHead + line("../etc", kKeyA, "-"), 3, "name: invalid peer name", 1},
        BadFile{kHead + line("a", kKeyA, "-", "-", "yes"), 3, "psk: must be \"psk\" or \"-\"", 54},
        BadFile{kHead + line("a", kKeyA, "-", "-", "-", "2024-05-01T12:00:00+02:00"), 3,
                "created: must be a UTC time", 56},
        BadFile{kHead + line("a", kKeyA, "-", "-", "-", "2024-02-30T12:00:00Z"), 3,
                "created: must be a UTC time", 56}));

// The TOML files of earlier versions keep their file:line:col errors.
class LegacyPeerStoreErrors : public ::testing::TestWithParam<BadFile> {};

TEST_P(LegacyPeerStoreErrors, NameFileAndLine) {
    TempDir tmp;
    StatePaths paths{tmp.path()};
    write_text(paths.legacy_peers_file(), GetParam().text);
    expect_located(load_peers(paths), paths.legacy_peers_file(), GetParam());
}

#define PEER_A                                                        \
    "[[peer]]\nname = \"a\"\ngroup = \"g\"\n"                         \
    "public_key = \"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\"\n" \
    "created = 2024-05-01T12:00:00Z\n"

INSTANTIATE_TEST_SUITE_P(
    Cases, LegacyPeerStoreErrors,
    ::testing::Values(
        BadFile{"version = 1\n\n[[peer]]\nname = \"a\"\ngroup = \n", 5, ""},
        BadFile{"version = 1\n[[peer]]\nname = \"a\"\ngroup = \"g\"\npublic_key = \"short\"\n"
                "created = 2024-05-01T12:00:00Z\n",
                5, "public_key"},
        BadFile{"version = 1\n" PEER_A "\n" PEER_A, 8, "duplicate peer name"},
        BadFile{"version = 1\n" PEER_A "address = \"fd08::1\"\n", 7, "IPv4"},
        BadFile{"version = 1\n" PEER_A "colour = \"blue\"\n", 7, "unknown key"},
        BadFile{"version = 2\n", 1, "version"},
        BadFile{"version = 1\n[[peer]]\nname = \"../etc\"\n", 3, "invalid peer name"},
        BadFile{"version = 1\n[[peer]]\nname = \"a\"\ngroup = \"g\"\n"
                "public_key = \"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\"\n"
                "created = 2024-05-01T12:00:00\n",
                6, "offset"}));

TEST(PeerStore, SecretFilesArePrivateAndRoundTrip) {
    TempDir tmp;
    StatePaths paths{tmp / "state"};
    SecretText conf;
    conf.append("[Interface]\nPrivateKey = x\n");
    ASSERT_TRUE(write_client_config(paths, "alice", conf).ok());
    EXPECT_EQ(mode_of(paths.clients_dir()), 0700);
    EXPECT_EQ(mode_of(*paths.client_config_file("alice")), 0600);
    auto back = read_file_if_exists(*paths.client_config_file("alice"));
    ASSERT_TRUE(back.ok() && *back);
    EXPECT_EQ(**back, conf.str());

    auto psk = SecretKey::from_base64("FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE=");
    ASSERT_TRUE(write_psk(paths, "alice", *psk).ok());
    EXPECT_EQ(mode_of(paths.psk_dir()), 0700);
    EXPECT_EQ(mode_of(*paths.psk_file("alice")), 0600);
    auto text = read_file_if_exists(*paths.psk_file("alice"));
    EXPECT_EQ(**text, "FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE=\n");
    auto key = read_psk(paths, "alice");
    ASSERT_TRUE(key.ok()) << key.error().str();
    EXPECT_TRUE(*key == *psk);

    ASSERT_TRUE(remove_peer_files(paths, "alice").ok());
    EXPECT_EQ(mode_of(*paths.client_config_file("alice")), -1);
    EXPECT_EQ(mode_of(*paths.psk_file("alice")), -1);
    EXPECT_TRUE(remove_peer_files(paths, "alice").ok()) << "removing twice is fine";
}

TEST(PeerStore, NamesThatCouldEscapeAreRejected) {
    TempDir tmp;
    StatePaths paths{tmp / "state"};
    SecretText conf;
    conf.append("x");
    for (const char* bad : {"../evil", "a/b", ".hidden", "-x", "", "sixteen-chars-xx"})
        EXPECT_FALSE(write_client_config(paths, bad, conf).ok()) << bad;
    EXPECT_EQ(mode_of(tmp / "evil.conf"), -1);
    EXPECT_EQ(mode_of(tmp / "state/evil.conf"), -1);
}

TEST(PeerStore, ModesDoNotDependOnUmask) {
    for (mode_t mask : {0000, 0022, 0077, 0777}) {
        TempDir tmp;
        ScopedUmask um(mask);
        StatePaths paths{tmp / "var/lib/vpngw"};
        {
            auto lock = StateLock::acquire(paths.dir);
            ASSERT_TRUE(lock.ok()) << lock.error().str();
            PeerState st;
            st.peers.push_back(peer("a", 1, "10.8.1.2", nullptr, true));
            ASSERT_TRUE(save_peers(paths, st).ok());
            SecretText conf;
            conf.append("c");
            ASSERT_TRUE(write_client_config(paths, "a", conf).ok());
            ASSERT_TRUE(write_psk(paths, "a", SecretKey{}).ok());
        }
        for (const auto& d :
             {tmp / "var", tmp / "var/lib", paths.dir, paths.clients_dir(), paths.psk_dir()})
            EXPECT_EQ(mode_of(d), 0700) << d << " umask " << std::oct << mask;
        for (const auto& f : {paths.lock_file(), paths.peers_file(), *paths.client_config_file("a"),
                              *paths.psk_file("a")})
            EXPECT_EQ(mode_of(f), 0600) << f << " umask " << std::oct << mask;
    }
}

// vpngw never chmods a directory it did not create: one that others cannot
// write to is used as it is (store/state_dir_check.hpp refuses the others).
TEST(PeerStore, ExistingStateDirKeepsItsMode) {
    TempDir tmp;
    ASSERT_EQ(mkdir((tmp / "state").c_str(), 0755), 0);
    chmod((tmp / "state").c_str(), 0755);
    ASSERT_TRUE(StateLock::acquire(tmp / "state").ok());
    ASSERT_TRUE(save_peers(StatePaths{tmp / "state"}, PeerState{}).ok());
    EXPECT_EQ(mode_of(tmp / "state"), 0755);
}

// 20 processes each take the lock, read, add their peer and save; the lock
// must serialise them so no update is lost. The pause between load and save
// widens the window a missing lock would lose peers in.
TEST(PeerStore, ConcurrentWritersUnderTheLockLoseNothing) {
    TempDir tmp;
    StatePaths paths{tmp / "state"};
    constexpr int kWriters = 20;
    int go[2];
    ASSERT_EQ(pipe(go), 0);
    std::vector<pid_t> pids;
    for (int i = 0; i < kWriters; ++i) {
        pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            close(go[1]);
            char c;
            (void)!read(go[0], &c, 1);  // returns 0 when the parent closes: all start together
            auto lock = StateLock::acquire(paths.dir, seconds(60));
            if (!lock) _exit(10);
            auto state = load_peers(paths);
            if (!state) _exit(11);
            std::this_thread::sleep_for(milliseconds(5));
            std::string v4 = "10.8.1." + std::to_string(i + 2);
            state->peers.push_back(peer("p" + std::to_string(i), static_cast<std::uint8_t>(i * 7),
                                        v4.c_str(), nullptr, i % 2 == 0));
            if (!save_peers(paths, *state)) _exit(12);
            _exit(0);
        }
        pids.push_back(pid);
    }
    close(go[0]);
    close(go[1]);
    for (pid_t pid : pids) {
        int status = 0;
        waitpid(pid, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
            << "writer " << pid << " status " << status;
    }
    auto final_state = load_peers(paths);
    ASSERT_TRUE(final_state.ok()) << final_state.error().str();
    std::set<std::string> names;
    for (const auto& p : final_state->peers) names.insert(p.name);
    EXPECT_EQ(final_state->peers.size(), std::size_t(kWriters));
    for (int i = 0; i < kWriters; ++i) EXPECT_TRUE(names.count("p" + std::to_string(i))) << i;
}

}  // namespace
}  // namespace vpngw::store
