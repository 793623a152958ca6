#include "plan/render.hpp"

#include <gtest/gtest.h>

#include "plan/desired.hpp"
#include "support/fixtures.hpp"

namespace vpngw::plan {
namespace {

TEST(Render, SectionsInOrder) {
    auto text = render_state(desired_state(testing::office()));
    std::size_t at = 0;
    for (const char* s : {"# links\n", "# addresses\n", "# routes\n", "# rules\n", "# wireguard\n",
                          "# sysctls\n", "# nftables\n"}) {
        auto pos = text.find(s, at);
        ASSERT_NE(pos, std::string::npos) << s;
        at = pos;
    }
}

TEST(Render, Lines) {
    auto text = render_state(desired_state(testing::office()));
    for (const char* line :
         {"+ wg0  wireguard mtu 1420 up\n", "+ 10.8.0.1/16 dev wg0\n", "table 51002:\n",
          "+ default via 2001:db8:1::1 dev eth1\n",
          "+ ipv4 5000: from all lookup main suppress_prefixlength 0\n",
          "+ ipv4 5101: from all fwmark 0x51002 lookup 51002\n",
          "    private-key-file /var/lib/vpngw/wg0.key\n",
          "        allowed-ips 10.8.1.5/32, fd08:0:0:1::5/128\n",
          "        preshared-key-file /etc/vpngw/bob.psk\n", "+ net.ipv4.ip_forward = 1\n"})
        EXPECT_NE(text.find(line), std::string::npos) << line;
}

TEST(Render, EmptySectionsSayNone) {
    auto text = render_state(desired_state(testing::minimal()));
    EXPECT_NE(text.find("# routes\n  (none)\n# rules\n  (none)\n"), std::string::npos);
}

TEST(Render, NeverKeyContents) {
    // A plan shows the public key and the file paths of secrets, nothing else.
    auto s = desired_state(testing::office());
    auto text = render_state(s);
    EXPECT_NE(text.find(s.wireguard[0].peers[0].public_key.base64()), std::string::npos);
    EXPECT_EQ(text.find("PrivateKey"), std::string::npos);
    EXPECT_EQ(text.find("private-key "), std::string::npos);
}

}  // namespace
}  // namespace vpngw::plan
