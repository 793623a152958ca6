// wireguard-go's peer limit on a fleet member (gateway/userspace_capacity.hpp):
// the registry's peers come from etcd, so the refusal names the etcd
// registry (prefix, endpoints), never the local registry file it does not use.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gateway/userspace_capacity.hpp"

namespace vpngw::gateway {
namespace {

using testing::HasSubstr;
using testing::Not;

constexpr const char* kRegistryFile = "/var/lib/vpngw/peers.db";

model::Profile userspace_profile() {
    model::Profile p;
    model::Interface wg;
    wg.name = "wg0";
    wg.backend = model::Backend::userspace;
    wg.origin.fields["backend"] = Location{"gw.toml", 7, 11};
    p.interfaces.push_back(wg);
    model::Group staff;
    staff.name = "staff";
    staff.interface = "wg0";
    p.groups.push_back(staff);
    return p;
}

const GroupPeerCounts kOnePastTheLimit{{"staff", model::kUserspacePeerLimit + 1}};

TEST(CapacityMessage, AFleetMemberNamesTheEtcdRegistry) {
    model::Profile p = userspace_profile();
    model::Cluster c;
    c.node = "gw-a";
    c.etcd.prefix = "/vpngw/site-a/";
    for (const char* host : {"10.9.0.1", "10.9.0.2"})
        c.etcd.endpoints.push_back({true, Endpoint{host, 2379}, {}});
    p.cluster = c;
    auto refused = check_userspace_capacity(p, kOnePastTheLimit, kRegistryFile);
    ASSERT_FALSE(refused.ok());
    EXPECT_THAT(refused.error().message,
                HasSubstr("interface wg0 would have 65537 peers (profile and the etcd registry "
                          "under /vpngw/site-a/ at https://10.9.0.1:2379, https://10.9.0.2:2379)"));
    EXPECT_THAT(refused.error().message, Not(HasSubstr("peers.db")));
    EXPECT_EQ(refused.error().where.line, 7);
}

TEST(CapacityMessage, ASingleMachineNamesItsRegistryFile) {
    auto refused = check_userspace_capacity(userspace_profile(), kOnePastTheLimit, kRegistryFile);
    ASSERT_FALSE(refused.ok());
    EXPECT_THAT(refused.error().message,
                HasSubstr("would have 65537 peers (profile and /var/lib/vpngw/peers.db)"));
    // At the limit: nothing to refuse.
    EXPECT_TRUE(check_userspace_capacity(userspace_profile(),
                                         {{"staff", model::kUserspacePeerLimit}}, kRegistryFile)
                    .ok());
}

}  // namespace
}  // namespace vpngw::gateway
