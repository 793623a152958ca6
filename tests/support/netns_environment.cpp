#include "support/netns_environment.hpp"

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "support/shell.hpp"

namespace vpngw::netlink::test {

namespace {

ino_t netns_inode(const char* path) {
    struct stat st {};
    if (::stat(path, &st) != 0) return 0;
    return st.st_ino;
}

// The root namespace, remembered before the first unshare so every test can
// prove it is elsewhere before it writes anything.
ino_t g_original_netns = 0;

// A private mount namespace for the whole run: `ip` and the tests may mount
// (ip netns, /run/wireguard) without the host seeing it. Runs before any test
// and before any thread exists; unshare needs a single-threaded process.
class MountNamespace : public ::testing::Environment {
  public:
    void SetUp() override {
        g_original_netns = netns_inode("/proc/self/ns/net");
        if (::geteuid() != 0) {
            std::fprintf(stderr, "netlink_netns_test needs root: it creates network namespaces\n");
            std::exit(1);
        }
        if (::unshare(CLONE_NEWNS) != 0 ||
            ::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
            std::fprintf(stderr, "cannot make a private mount namespace: %s\n",
                         std::strerror(errno));
            std::exit(1);
        }
    }
};

[[maybe_unused]] const auto* const g_environment =
    ::testing::AddGlobalTestEnvironment(new MountNamespace);

}  // namespace

void NetnsTest::SetUp() {
    ASSERT_EQ(::geteuid(), 0u) << "needs root to create network namespaces";
    ASSERT_EQ(::unshare(CLONE_NEWNET), 0)
        << "unshare(CLONE_NEWNET) failed: " << std::strerror(errno);
    const ino_t now = netns_inode("/proc/self/ns/net");
    ASSERT_NE(now, 0u);
    ASSERT_NE(now, g_original_netns) << "still in the original network namespace";
    must("ip link set lo up");
    auto s = NetlinkSocket::open();
    ASSERT_TRUE(s) << s.error().message;
    sock_.emplace(std::move(*s));
}

}  // namespace vpngw::netlink::test
