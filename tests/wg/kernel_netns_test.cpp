// The kernel backend's socket paths on a kernel without WireGuard (these
// machines): the errors must say so, and "auto" must fall back to userspace.
// The rtnetlink helpers are exercised with a bridge, which this kernel has.

#include <gtest/gtest.h>
#include <unistd.h>

#include "support/netns_sandbox.hpp"
#include "wg/write/kernel_backend.hpp"
#include "wg/write/rtnl_link.hpp"
#include "wg/write/select_backend.hpp"

namespace vpngw::wg {
namespace {

class KernelNetns : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string why = test::enter_sandbox();
        ASSERT_TRUE(why.empty()) << why;
        name_ = "vwk" + std::to_string(getpid() % 100000);
    }
    std::string name_;
};

TEST_F(KernelNetns, RtnetlinkCreateAndDeleteALink) {
    ASSERT_FALSE(link_exists(name_));
    auto s = rtnl_create_link(name_, "bridge");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_TRUE(link_exists(name_));
    EXPECT_NE(test::sh("ip -d link show " + name_).out.find("bridge"), std::string::npos);
    auto again = rtnl_create_link(name_, "bridge");
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().message.find("File exists"), std::string::npos)
        << again.error().message;
    ASSERT_TRUE(rtnl_delete_link(name_));
    EXPECT_FALSE(link_exists(name_));
    auto missing = rtnl_delete_link(name_);
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find(name_), std::string::npos);
    EXPECT_FALSE(rtnl_create_link("bad/name", "bridge"));
}

TEST_F(KernelNetns, WithoutTheModuleErrorsSaySoAndAutoPicksUserspace) {
    const bool has = kernel_has_wireguard();
    auto backend = select_backend(model::Backend::automatic);
    EXPECT_EQ(backend->name(), has ? "kernel" : "userspace");
    EXPECT_EQ(select_backend(model::Backend::kernel)->name(), "kernel");
    EXPECT_EQ(select_backend(model::Backend::userspace)->name(), "userspace");
    if (has) return;  // the rest describes a kernel without WireGuard

    KernelBackend kernel;
    auto c = kernel.create(name_);
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().message.find("WireGuard"), std::string::npos) << c.error().message;
    EXPECT_FALSE(link_exists(name_));
    auto g = kernel.get(name_);
    ASSERT_FALSE(g);
    EXPECT_NE(g.error().message.find("no WireGuard support"), std::string::npos)
        << g.error().message;
    EXPECT_FALSE(kernel.set(name_, {}));
    EXPECT_FALSE(kernel.exists(name_));
}

}  // namespace
}  // namespace vpngw::wg
