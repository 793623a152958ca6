// keepalived.conf, conntrackd.conf and the notify script rendered from a
// profile's [cluster]: the settings that matter for failover, and refusal of
// values the formats cannot carry. keepalived and conntrackd themselves read
// the rendered files in tests/fleet/ha_render.sh (they need an interface).

#include "fleet/ha_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "escape/escape.hpp"
#include "ha_test_profile.hpp"
#include "plan/nft_ruleset.hpp"

namespace vpngw::fleet {
namespace {

using testing::HasSubstr;
using testing::Not;

model::Profile load(const std::string& text) {
    return load_ha_profile(text);
}

HaPaths paths() {
    HaPaths p;
    p.profile = "/etc/vpngw/gw.toml";
    return p;
}

TEST(HaConfig, KeepalivedHoldsTheVirtualAddressOnTheUplink) {
    auto text = render_keepalived(load(ha_profile_text()), paths());
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_THAT(*text, HasSubstr("router_id gw-a\n"));
    EXPECT_THAT(*text, HasSubstr("    interface eth0\n"));
    EXPECT_THAT(*text, HasSubstr("    virtual_router_id 51\n"));
    EXPECT_THAT(*text, HasSubstr("    priority 150\n"));
    EXPECT_THAT(*text, HasSubstr("    advert_int 1\n"));
    EXPECT_THAT(*text, HasSubstr("        203.0.113.10/24 dev eth0\n"));
    EXPECT_THAT(*text, HasSubstr("script \"/usr/sbin/vpngw cluster health /etc/vpngw/gw.toml\"\n"
                                 "    interval 1\n    timeout 3\n    fall 2\n    rise 2\n"));
    EXPECT_THAT(*text, HasSubstr("    track_script {\n        vpngw_health\n    }\n"));
    EXPECT_THAT(*text, HasSubstr("    state BACKUP\n    nopreempt\n"));
    EXPECT_THAT(*text, HasSubstr("    notify /etc/vpngw/fleet/notify.sh\n"));
    EXPECT_THAT(*text, Not(HasSubstr("unicast_peer")));
}

TEST(HaConfig, WhatWireGuardSendsLeavesFromTheVirtualAddressWhileMaster) {
    // Without a gateway on the uplink there is no route to give.
    auto none = render_keepalived(load(ha_profile_text()), paths());
    ASSERT_TRUE(none) << none.error().message;
    EXPECT_THAT(*none, Not(HasSubstr("virtual_routes")));
    EXPECT_THAT(*none, Not(HasSubstr("virtual_rules")));
    std::string text = ha_profile_text();
    text.replace(text.find("device = \"eth0\""), 15,
                 "device = \"eth0\"\ngateway = \"203.0.113.1\"");
    text += "[[interface]]\nname = \"wg1\"\naddress = [\"10.9.0.1/16\"]\nlisten_port = 51821\n";
    auto conf = render_keepalived(load(text), paths());
    ASSERT_TRUE(conf) << conf.error().message;
    EXPECT_THAT(*conf, HasSubstr("    virtual_routes {\n        src 203.0.113.10 to 0.0.0.0/0 via "
                                 "203.0.113.1 dev eth0 table 51999\n    }\n"));
    EXPECT_THAT(
        *conf,
        HasSubstr("    virtual_rules {\n"
                  "        from all ipproto udp sport 51820-51820 table 51999 priority 6000\n"
                  "        from all ipproto udp sport 51821-51821 table 51999 priority 6000\n"
                  "    }\n"));
}

TEST(HaConfig, UnicastPeersWhenGiven) {
    std::string text = ha_profile_text();
    text.replace(text.find("priority = 150"), 14, "unicast_peers = [\"203.0.113.3\"]");
    auto conf = render_keepalived(load(text), paths());
    ASSERT_TRUE(conf) << conf.error().message;
    EXPECT_THAT(*conf, HasSubstr("    unicast_peer {\n        203.0.113.3\n    }\n"));
}

TEST(HaConfig, ConntrackdSyncsOverTheSyncLink) {
    auto text = render_conntrackd(load(ha_profile_text()), paths());
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_THAT(*text, HasSubstr("Mode FTFW {"));
    EXPECT_THAT(*text, HasSubstr("IPv4_address 10.99.0.1\n"));
    EXPECT_THAT(*text, HasSubstr("IPv4_Destination_Address 10.99.0.2\n"));
    EXPECT_THAT(*text, HasSubstr("Interface eth2\n"));
    EXPECT_THAT(*text, HasSubstr("LockFile /run/vpngw-conntrackd.lock\n"));
    EXPECT_THAT(*text, HasSubstr("Path /run/vpngw-conntrackd.ctl\n"));
}

TEST(HaConfig, NotifyScriptCommitsOnMasterAndResyncsOnBackup) {
    auto p = paths();
    p.conntrackd_conf = "/etc/vpngw/fleet/my conntrackd.conf";  // shell-quoted
    auto text = render_notify_script(p, true);
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_THAT(*text, HasSubstr("MASTER)\n    /usr/sbin/conntrackd -C '/etc/vpngw/fleet/my "
                                 "conntrackd.conf' -c"));
    EXPECT_THAT(*text, HasSubstr("BACKUP|FAULT)\n"));
    EXPECT_THAT(*text, HasSubstr(" -n  # ask the master"));
}

TEST(HaConfig, NotifyScriptRecordsTheStateFileAtomically) {
    auto p = paths();
    p.vrrp_state_file = "/var/lib/vpngw-a/vrrp.state";
    auto text = render_notify_script(p, false);
    ASSERT_TRUE(text) << text.error().message;
    // The format of docs/fleet.md: a version line, then STATE TAB TIME TAB NAME.
    EXPECT_THAT(*text, HasSubstr("printf '# vpngw vrrp v1\\n%s\\t%s\\t%s\\n' \"$state\" "
                                 "\"$(date +%s)\" \"$name\" >/var/lib/vpngw-a/vrrp.state.tmp && "
                                 "mv -f /var/lib/vpngw-a/vrrp.state.tmp "
                                 "/var/lib/vpngw-a/vrrp.state\n"));
    // Only keepalived's four words are written; anything else is UNKNOWN.
    EXPECT_THAT(*text, HasSubstr("MASTER|BACKUP|FAULT|STOP) state=$3 ;;\n*) state=UNKNOWN ;;"));
    EXPECT_THAT(*text, Not(HasSubstr("conntrackd")));  // no [cluster.sync]
    EXPECT_THAT(*render_keepalived(load(ha_profile_text()), p),
                HasSubstr("    notify /etc/vpngw/fleet/notify.sh\n"));
}

TEST(HaConfig, ValuesTheFormatsCannotCarryAreRefused) {
    auto p = paths();
    p.profile = "/etc/vpngw/gw.toml\" ; rm -rf /";
    auto k = render_keepalived(load(ha_profile_text()), p);
    ASSERT_FALSE(k);
    EXPECT_THAT(k.error().message, HasSubstr("profile path"));
    EXPECT_THAT(k.error().message, HasSubstr("cannot be written into keepalived.conf"));

    p = paths();
    p.lock_file = "/run/lock file";
    auto c = render_conntrackd(load(ha_profile_text()), p);
    ASSERT_FALSE(c);
    EXPECT_THAT(c.error().message, HasSubstr("lock file"));

    // A device name the profile accepts ('=' is valid there) that conntrackd cannot read.
    auto odd = load(
        std::string(ha_profile_text()).replace(ha_profile_text().find("\"eth2\""), 6, "\"eth=2\""));
    auto c2 = render_conntrackd(odd, paths());
    ASSERT_FALSE(c2);
    EXPECT_THAT(c2.error().message, HasSubstr("sync device eth=2"));
}

// A drop input policy must still let the members hear each other: VRRP on
// the uplink (or both take the address) and conntrackd's sync from the other
// member only (or nothing is synced). Found by tests/fleet/failover.sh.
TEST(HaConfig, InputChainAdmitsVrrpAndTheSyncFromThePeer) {
    std::string text = ha_profile_text();
    text.replace(text.find("management = {"), 0, "input = \"drop\"\n");
    const std::string rules = plan::render_nft_ruleset(load(text));
    EXPECT_THAT(rules, HasSubstr("iifname \"eth0\" ip protocol 112 accept\n"));
    EXPECT_THAT(rules, HasSubstr("iifname \"eth2\" ip saddr 10.99.0.2 udp dport 3780 accept\n"));
    auto conf = render_conntrackd(load(text), paths());
    ASSERT_TRUE(conf);
    EXPECT_THAT(*conf, HasSubstr("Port 3780\n"));  // the port the rule admits
}

TEST(HaConfig, NoVrrpNoKeepalived) {
    auto text = render_keepalived(load("[gateway]\nname = \"gw\"\n[[interface]]\nname = \"wg0\"\n"
                                       "address = [\"10.8.0.1/16\"]\n[firewall]\nmanagement = "
                                       "{ allow = [\"198.51.100.7/32\"] }\n"),
                                  paths());
    ASSERT_FALSE(text);
    EXPECT_THAT(text.error().message, HasSubstr("no [cluster.vrrp]"));
}

TEST(HaConfig, EscapersKeepOnlyPlainWords) {
    EXPECT_EQ(escape::keepalived_word("fd00::1/64"), "fd00::1/64");
    EXPECT_EQ(escape::keepalived_word("/usr/sbin/vpngw"), "/usr/sbin/vpngw");
    for (const char* bad : {"", "a b", "a#b", "a!b", "a\"b", "a\nb", "a{b", "é"})
        EXPECT_FALSE(escape::keepalived_word(bad)) << bad;
    EXPECT_EQ(escape::conntrackd_word("eth2"), "eth2");
    EXPECT_EQ(escape::conntrackd_word("/run/x.ctl"), "/run/x.ctl");
    for (const char* bad : {"", "-x", ".x", "a b", "a:b", "a=b", "a;b", "a\tb"})
        EXPECT_FALSE(escape::conntrackd_word(bad)) << bad;
}

}  // namespace
}  // namespace vpngw::fleet
