// The state directory's layout: one type names every file, each in its own
// place; the peer store's journal and the apply's progress record (called
// `journal` by earlier releases) are different files.
#include "store/state_paths.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace vpngw::store {
namespace {

std::vector<std::string> every_path(const StatePaths& p) {
    return {p.lock_file(),
            p.peers_file(),
            p.legacy_peers_file(),
            p.peers_journal_file(),
            p.registry_file(),
            p.clients_dir(),
            p.psk_dir(),
            *p.client_config_file("alice"),
            *p.psk_file("alice"),
            p.key_file("wg0"),
            p.nft_listing_file(),
            p.health_file(),
            p.apply_progress_file(),
            p.legacy_apply_progress_file(),
            p.sysctl_baseline_file(),
            p.last_apply_file(),
            p.revert_log_file(),
            p.pending_dir(),
            p.pending_record_file(),
            p.pending_inverse_file(),
            p.pending_files_dir(),
            p.pending_files_list()};
}

TEST(StatePaths, EveryFileIsDistinctAndInsideTheDirectory) {
    const StatePaths p{"/var/lib/vpngw"};
    const auto all = every_path(p);
    EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), all.size());
    for (const auto& path : all) {
        EXPECT_TRUE(path.starts_with("/var/lib/vpngw/")) << path;
        EXPECT_EQ(path.find("//"), std::string::npos) << path;
    }
}

TEST(StatePaths, NamesTheFilesAsTheLayoutDraws) {
    const StatePaths p{"/var/lib/vpngw"};
    EXPECT_EQ(p.key_file("wg0"), "/var/lib/vpngw/wg0.key");
    EXPECT_EQ(p.peers_journal_file(), "/var/lib/vpngw/peers.journal");
    EXPECT_EQ(p.apply_progress_file(), "/var/lib/vpngw/apply-in-progress");
    EXPECT_EQ(p.legacy_apply_progress_file(), "/var/lib/vpngw/journal");
    EXPECT_EQ(p.pending_files_list(), "/var/lib/vpngw/pending/files/.list");
    EXPECT_EQ(*p.psk_file("alice"), "/var/lib/vpngw/psk/alice.psk");
}

TEST(StatePaths, ATrailingSlashOrTheRootDirectoryMakesNoDoubleSlash) {
    EXPECT_EQ(StatePaths{"/srv/vpngw/"}.key_file("wg0"), "/srv/vpngw/wg0.key");
    EXPECT_EQ(StatePaths{"/srv/vpngw//"}.lock_file(), "/srv/vpngw/lock");
    EXPECT_EQ(StatePaths{"/"}.key_file("wg0"), "/wg0.key");
    EXPECT_EQ(StatePaths{"state"}.health_file(), "state/health.tsv");
}

TEST(StatePaths, PeerFilesRefuseNamesThatCouldEscape) {
    const StatePaths p{"/var/lib/vpngw"};
    EXPECT_FALSE(p.psk_file("../lock"));
    EXPECT_FALSE(p.client_config_file(".hidden"));
    EXPECT_FALSE(p.client_config_file("a/b"));
}

}  // namespace
}  // namespace vpngw::store
