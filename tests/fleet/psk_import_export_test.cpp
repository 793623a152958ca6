// `peer import` and `peer export` on a fleet member (gateway/cluster_psk.hpp):
// an imported peer's psk/<name>.psk is sealed into its record with the
// cluster secret, refused without `secret_file`; an export opens the sealed
// keys into psk/ as a single machine holds them. No message carries a key.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fleet/psk_seal.hpp"
#include "gateway/cluster_psk.hpp"
#include "keys/keys.hpp"
#include "store/peer_files.hpp"
#include "support/temp_dir.hpp"

namespace vpngw::gateway {
namespace {

using testing::HasSubstr;
using testing::IsEmpty;
using testing::Not;

struct FleetPsk : testing::Test {
    TempDir tmp;
    Session session;
    SecretKey psk = *keys::generate_preshared_key();
    registry::PeerRecord alice;

    void SetUp() override {
        session.paths.dir = tmp / "state";
        model::Cluster c;
        c.node = "gw-a";
        c.secret_file = tmp / "cluster.key";
        ASSERT_TRUE(fleet::create_cluster_secret(c.secret_file));
        session.profile.cluster = c;
        alice.name = "alice";
        alice.group = "staff";
        alice.public_key = keys::generate_key_pair()->public_key;
        alice.has_psk = true;
    }
    SecretKey secret() { return *fleet::read_cluster_secret(session.profile.cluster->secret_file); }
};

TEST_F(FleetPsk, ImportSealsTheKeyFileWithTheClusterSecret) {
    ASSERT_TRUE(store::write_psk(session.paths, "alice", psk));
    registry::PeerRecord bob = alice;  // no PSK: stays without a sealed value
    bob.name = "bob";
    bob.has_psk = false;
    std::vector<registry::PeerRecord> peers{alice, bob};
    auto st = seal_imported_psks(session, peers);
    ASSERT_TRUE(st.ok()) << st.error().message;
    ASSERT_FALSE(peers[0].sealed_psk.empty());
    EXPECT_THAT(peers[0].sealed_psk, Not(HasSubstr(psk.base64())));
    auto opened = fleet::open_psk(secret(), "alice", alice.public_key, peers[0].sealed_psk, "k");
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_TRUE(*opened == psk);
    EXPECT_TRUE(peers[1].sealed_psk.empty());
}

TEST_F(FleetPsk, ImportWithoutSecretFileIsRefusedNamingIt) {
    ASSERT_TRUE(store::write_psk(session.paths, "alice", psk));
    session.profile.cluster->secret_file.clear();
    std::vector<registry::PeerRecord> peers{alice};
    auto st = seal_imported_psks(session, peers);
    ASSERT_FALSE(st.ok());
    EXPECT_THAT(st.error().message, HasSubstr("peer \"alice\""));
    EXPECT_THAT(st.error().message, HasSubstr("has no \"secret_file\""));
    EXPECT_THAT(st.error().message, Not(HasSubstr(psk.base64())));
    EXPECT_TRUE(peers[0].sealed_psk.empty());
}

TEST_F(FleetPsk, ImportOnASingleMachineSealsNothing) {
    ASSERT_TRUE(store::write_psk(session.paths, "alice", psk));
    session.profile.cluster.reset();
    std::vector<registry::PeerRecord> peers{alice};
    ASSERT_TRUE(seal_imported_psks(session, peers).ok());
    EXPECT_TRUE(peers[0].sealed_psk.empty());
}

TEST_F(FleetPsk, ExportOpensSealedKeysIntoPskFiles) {
    alice.sealed_psk = *fleet::seal_psk(secret(), "alice", alice.public_key, psk);
    ASSERT_FALSE(store::read_psk(session.paths, "alice"));  // pinned elsewhere: not here yet
    EXPECT_THAT(keep_exported_psks(session, {alice}), IsEmpty());
    auto kept = store::read_psk(session.paths, "alice");
    ASSERT_TRUE(kept) << kept.error().message;
    EXPECT_TRUE(*kept == psk);
    EXPECT_EQ(mode_of(tmp / "state/psk/alice.psk"), 0600);
}

TEST_F(FleetPsk, ExportNotesWhatDoesNotOpenWithoutKeyBytes) {
    // Sealed with another fleet's secret.
    SecretKey other = *keys::generate_preshared_key();
    alice.sealed_psk = *fleet::seal_psk(other, "alice", alice.public_key, psk);
    registry::PeerRecord legacy = alice;  // has_psk without a sealed value, no file
    legacy.name = "legacy";
    legacy.sealed_psk.clear();
    auto notes = keep_exported_psks(session, {alice, legacy});
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_THAT(notes[0], HasSubstr("peer \"alice\""));
    EXPECT_THAT(notes[0], HasSubstr("not written"));
    EXPECT_THAT(notes[1], HasSubstr("peer \"legacy\" has psk = true but no sealed key"));
    for (const auto& n : notes) {
        EXPECT_THAT(n, Not(HasSubstr(psk.base64())));
        EXPECT_THAT(n, Not(HasSubstr(other.base64())));
    }
    EXPECT_FALSE(store::read_psk(session.paths, "alice"));
}

}  // namespace
}  // namespace vpngw::gateway
