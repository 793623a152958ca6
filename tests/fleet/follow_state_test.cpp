// What a fleet member keeps and reads next to the follower: etcd's member
// list, <state_dir>/cluster-applied and keepalived's vrrp.state, each
// refused with the file and line when it is not what is written there.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "fleet/etcd_members.hpp"
#include "gateway/cluster_applied.hpp"
#include "gateway/cluster_status.hpp"
#include "support/temp_dir.hpp"

namespace vpngw {
namespace {

using testing::HasSubstr;

void write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
}

// A file not there yet is no error: nothing was written.
template <typename T>
void expect_absent(const Result<std::optional<T>>& read) {
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_FALSE(*read);
}

TEST(EtcdMembers, NamesAndClientUrlsAsEtcdWritesThem) {
    auto m = fleet::decode_members(
        R"({"header":{"revision":"9"},"members":[{"ID":"1","name":"e1","peerURLs":["https://10.0.0.1:2380"],"clientURLs":["https://10.0.0.1:2379"]},{"ID":"2","peerURLs":["https://10.0.0.2:2380"]}]})");
    ASSERT_TRUE(m) << m.error().message;
    ASSERT_EQ(m->size(), 2u);
    EXPECT_EQ((*m)[0].name, "e1");
    EXPECT_EQ((*m)[0].client_urls, std::vector<std::string>{"https://10.0.0.1:2379"});
    EXPECT_EQ((*m)[1].name, "");  // added, not started yet
    EXPECT_TRUE((*m)[1].client_urls.empty());
}

TEST(EtcdMembers, MalformedListsAreRefused) {
    for (const char* text : {"[]", "nope", R"({"members":{}})", R"({"members":[{"name":5}]})",
                             R"({"members":[{"clientURLs":[1]}]})"})
        EXPECT_FALSE(fleet::decode_members(text)) << text;
}

TEST(ClusterApplied, WrittenThenReadBack) {
    TempDir tmp;
    store::StatePaths paths{tmp.path()};
    expect_absent(gateway::read_cluster_applied(paths));
    const gateway::ClusterApplied a{4711,
                                    std::chrono::sys_seconds{std::chrono::seconds{1800000000}}};
    ASSERT_TRUE(gateway::write_cluster_applied(paths, a));
    auto back = gateway::read_cluster_applied(paths);
    ASSERT_TRUE(back && *back) << (back ? "" : back.error().message);
    EXPECT_EQ((*back)->revision, 4711);
    EXPECT_EQ((*back)->applied_at, a.applied_at);
    EXPECT_EQ(mode_of(paths.cluster_applied_file()), 0600);
}

TEST(ClusterApplied, HostileFilesAreRefusedWithFileAndLine) {
    TempDir tmp;
    store::StatePaths paths{tmp.path()};
    const std::pair<std::string, std::string> cases[] = {
        {"", ":1:1"},
        {"revision 12\n", ":2:1"},
        {"revision -3\napplied_at 5\n", ":1:1"},
        {"revision 12x\napplied_at 5\n", ":1:1"},
        {"rev 12\napplied_at 5\n", ":1:1"},
        {"revision 12\napplied_at soon\n", ":2:1"},
        {"revision 99999999999999999999\napplied_at 5\n", ":1:1"},
        {"revision 12\napplied_at 5\nmore\n", ":3:1"},
    };
    for (const auto& [text, where] : cases) {
        write(paths.cluster_applied_file(), text);
        auto r = gateway::read_cluster_applied(paths);
        ASSERT_FALSE(r) << text;
        EXPECT_THAT(r.error().str(), HasSubstr(paths.cluster_applied_file() + where)) << text;
    }
}

TEST(VrrpState, ReadAsTheNotifyScriptWritesIt) {
    TempDir tmp;
    store::StatePaths paths{tmp.path()};
    expect_absent(gateway::read_vrrp_state(paths));
    write(paths.vrrp_state_file(), "# vpngw vrrp v1\nBACKUP\t1733412345\tvpngw\n");
    auto v = gateway::read_vrrp_state(paths);
    ASSERT_TRUE(v && *v);
    EXPECT_EQ((*v)->state, "BACKUP");
    EXPECT_EQ((*v)->since, 1733412345);
    for (const char* text : {"# vpngw vrrp v1\nLEADER\t5\tvpngw\n", "# vpngw vrrp v1\nMASTER\tsoon\tvpngw\n",
                             "# vpngw vrrp v1\nMASTER\n", "BACKUP\t5\tvpngw\n", "\n"}) {
        write(paths.vrrp_state_file(), text);
        auto r = gateway::read_vrrp_state(paths);
        ASSERT_FALSE(r) << text;
        EXPECT_THAT(r.error().str(), HasSubstr(paths.vrrp_state_file())) << text;
    }
}

TEST(ClusterStatus, LagIsEtcdAheadOfTheKernelNeverNegative) {
    gateway::ClusterStatus s;
    EXPECT_FALSE(s.lag());
    s.applied = gateway::ClusterApplied{10, {}};
    EXPECT_FALSE(s.lag());
    s.etcd_revision = 14;
    EXPECT_EQ(s.lag(), 4);
    s.etcd_revision = 9;  // a member behind the one the follower watched
    EXPECT_EQ(s.lag(), 0);
}

}  // namespace
}  // namespace vpngw
