// Individual rules on top of a small valid profile (test_support.cpp); the
// invalid-profile corpus covers every error message with its exact position.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/profile_text.hpp"

namespace vpngw::profile {
namespace {

using test::base_profile;
using test::errors_of;
using test::replace;
using test::warnings_of;
using testing::ElementsAre;
using testing::IsEmpty;

TEST(Rules, BaseProfileIsCleanWithoutWarnings) {
    EXPECT_THAT(errors_of(base_profile()), IsEmpty());
    EXPECT_THAT(warnings_of(base_profile()), IsEmpty());
}

TEST(Rules, UnknownKeyGetsASuggestionAndEveryErrorIsCollected) {
    auto text = base_profile() +
                "[[group]]\n"                 // 10
                "name = \"g\"\n"              // 11
                "subent = \"10.8.1.0/24\"\n"  // 12
                "isolate = \"yes\"\n"         // 13
                "frobnicate = 1\n";           // 14
    EXPECT_THAT(errors_of(text),
                ElementsAre("10:1: error: group \"g\" needs \"subnet\" or \"subnet6\" (or both)",
                            "12:1: error: unknown key \"subent\" in [[group]]; did you mean "
                            "\"subnet\"?",
                            "13:11: error: expected a boolean (true or false) for \"isolate\", got "
                            "string",
                            "14:1: error: unknown key \"frobnicate\" in [[group]]"));
}

TEST(Rules, UnknownTopLevelTable) {
    EXPECT_THAT(errors_of(base_profile() + "[gatway]\nname = \"x\"\n"),
                ElementsAre("10:2: error: unknown key \"gatway\" at the top level; did you mean "
                            "\"gateway\"?"));
}

TEST(Rules, ArrayOfTablesWrittenAsTable) {
    EXPECT_THAT(errors_of(base_profile() + "[uplink]\nname = \"x\"\n"),
                ElementsAre("10:1: error: expected an array of tables for \"uplink\" (write "
                            "[[uplink]]), got table"));
}

TEST(Rules, IntegerRanges) {
    auto text =
        replace(base_profile(), "name = \"wg0\"\n", "name = \"wg0\"\nlisten_port = 70000\n");
    EXPECT_THAT(errors_of(text),
                ElementsAre("6:15: error: \"listen_port\" must be between 1 and 65535, got 70000"));
    text = replace(base_profile(), "name = \"wg0\"\n", "name = \"wg0\"\nlisten_port = 0\n");
    EXPECT_THAT(errors_of(text),
                ElementsAre("6:15: error: \"listen_port\" must be between 1 and 65535, got 0"));
}

TEST(Rules, MtuFloorDependsOnIpv6) {
    auto v6 = replace(base_profile(), "name = \"wg0\"\n", "name = \"wg0\"\nmtu = 1000\n");
    EXPECT_THAT(errors_of(v6), ElementsAre("6:7: error: \"mtu\" must be between 1280 and 9000 for "
                                           "an interface with IPv6 addresses, got 1000"));
    auto v4 = replace(v6, ", \"fd08::1/64\"", "");
    EXPECT_THAT(errors_of(v4), IsEmpty());
    auto tiny = replace(v4, "mtu = 1000", "mtu = 500");
    EXPECT_THAT(errors_of(tiny),
                ElementsAre("6:7: error: \"mtu\" must be between 576 and 9000, got 500"));
    auto huge = replace(v4, "mtu = 1000", "mtu = 9001");
    EXPECT_THAT(errors_of(huge),
                ElementsAre("6:7: error: \"mtu\" must be between 576 and 9000, got 9001"));
}

TEST(Rules, HostBitsSuggestTheNetwork) {
    auto text = base_profile() + "[[group]]\nname = \"g\"\nsubnet = \"10.8.1.1/24\"\n";
    EXPECT_THAT(errors_of(text), ElementsAre("12:10: error: 10.8.1.1/24 has host bits set; did you "
                                             "mean 10.8.1.0/24?"));
}

TEST(Rules, SubnetFamiliesAreChecked) {
    auto text = base_profile() +
                "[[group]]\nname = \"g\"\nsubnet = \"fd08::/64\"\nsubnet6 = \"10.8.1.0/24\"\n";
    EXPECT_THAT(errors_of(text),
                ElementsAre("12:10: error: \"subnet\" must be an IPv4 CIDR, got \"fd08::/64\"",
                            "13:11: error: \"subnet6\" must be an IPv6 CIDR, got \"10.8.1.0/24\""));
}

TEST(Rules, OverlappingGroupsNameBoth) {
    auto text = base_profile() +
                "[[group]]\nname = \"a\"\nsubnet = \"10.8.0.0/17\"\n"   // 10-12
                "[[group]]\nname = \"b\"\nsubnet = \"10.8.1.0/24\"\n";  // 13-15
    EXPECT_THAT(errors_of(text), ElementsAre("15:10: error: subnet 10.8.1.0/24 of group \"b\" "
                                             "overlaps subnet 10.8.0.0/17 of group \"a\" (line "
                                             "12)"));
}

TEST(Rules, SubnetOutsideItsInterface) {
    auto text = base_profile() + "[[group]]\nname = \"g\"\nsubnet = \"10.9.0.0/24\"\n" +
                "subnet6 = \"fd09::/64\"\n";
    EXPECT_THAT(errors_of(text),
                ElementsAre("12:10: error: subnet 10.9.0.0/24 of group \"g\" is outside every IPv4 "
                            "address of interface \"wg0\" (10.8.0.1/16)",
                            "13:11: error: subnet6 fd09::/64 of group \"g\" is outside every IPv6 "
                            "address of interface \"wg0\" (fd08::1/64)"));
}

TEST(Rules, GroupNeedsInterfaceWhenThereAreSeveral) {
    auto text = base_profile() +
                "[[interface]]\nname = \"wg1\"\nlisten_port = 51821\naddress = [\"10.9.0.1/16\"]\n"
                "[[group]]\nname = \"g\"\nsubnet = \"10.8.1.0/24\"\n";
    EXPECT_THAT(errors_of(text), ElementsAre("14:1: error: group \"g\" needs \"interface\": the "
                                             "profile has 2 interfaces (wg0, wg1)"));
}

TEST(Rules, UndefinedReferencesSuggestNames) {
    auto text = base_profile() +
                "[[uplink]]\nname = \"wan0\"\ndevice = \"eth0\"\n"    // 10-12
                "[[group]]\nname = \"staff\"\ninterface = \"wg1\"\n"  // 13-15
                "subnet = \"10.8.1.0/24\"\negress = \"wan1\"\n"       // 16-17
                "allow = [\"group:staf\"]\n"                          // 18
                "[[peer]]\nname = \"p\"\ngroup = \"stuff\"\n"         // 19-21
                "public_key = \"3+2ztO9TJKFw3+6zW4JEVl2GvoU/4Afbp2dcPpWAk08=\"\n"
                "[[forward]]\nport = 80\nto = \"10.8.1.5\"\nuplink = \"wan\"\n";  // 23-26
    EXPECT_THAT(errors_of(text),
                ElementsAre("15:13: error: undefined interface \"wg1\"; did you mean \"wg0\"?",
                            "17:10: error: undefined uplink \"wan1\"; did you mean \"wan0\"?",
                            "18:10: error: undefined group \"staf\" in allow entry "
                            "\"group:staf\"; did you mean \"staff\"?",
                            "21:9: error: undefined group \"stuff\"; did you mean \"staff\"?",
                            "26:10: error: undefined uplink \"wan\"; did you mean \"wan0\"?"));
}

TEST(Rules, PeerKeysMustBe32BytesOfBase64) {
    auto peer = base_profile() +
                "[[group]]\nname = \"g\"\nsubnet = \"10.8.1.0/24\"\n"
                "[[peer]]\nname = \"p\"\ngroup = \"g\"\npublic_key = \"KEY\"\n";  // key on 16
    EXPECT_THAT(errors_of(replace(peer, "KEY", "abc")),
                ElementsAre("16:14: error: \"public_key\" must be 44 characters of base64 (a "
                            "32-byte key), got 3 characters"));
    EXPECT_THAT(errors_of(replace(peer, "KEY", "3+2ztO9TJKFw3+6zW4JEVl2GvoU/4Afbp2dcPpWAk0!=")),
                ElementsAre("16:14: error: \"public_key\" is not valid base64 of a 32-byte key"));
    EXPECT_THAT(errors_of(replace(peer, "KEY", "3+2ztO9TJKFw3+6zW4JEVl2GvoU/4Afbp2dcPpWAk08=")),
                IsEmpty());
}

TEST(Rules, ReservedAndCollidingTablesAndMarks) {
    auto text = base_profile() +
                "[[uplink]]\nname = \"a\"\ndevice = \"eth0\"\ntable = 254\nfwmark = 0\n"  // 10-14
                "[[uplink]]\nname = \"b\"\ndevice = \"eth1\"\ntable = 7\nfwmark = 9\n"    // 15-19
                "[[uplink]]\nname = \"c\"\ndevice = \"eth2\"\ntable = 7\nfwmark = 9\n";   // 20-24
    EXPECT_THAT(errors_of(text),
                ElementsAre("13:9: error: routing table 254 is reserved (the kernel's \"main\" "
                            "table); choose another id or leave \"table\" out",
                            "14:10: error: \"fwmark\" must not be 0 (0 means no mark); choose "
                            "another value or leave \"fwmark\" out",
                            "23:9: error: routing table 7 is already used by uplink \"b\" (line "
                            "18)",
                            "24:10: error: fwmark 9 is already used by uplink \"b\" (line 19)"));
}

TEST(Rules, SnatNeedsAnAddress) {
    auto text = base_profile() + "[[uplink]]\nname = \"a\"\ndevice = \"eth0\"\nnat = \"snat\"\n";
    EXPECT_THAT(
        errors_of(text),
        ElementsAre("13:7: error: uplink \"a\" uses nat = \"snat\" but has no \"snat_to\""));
    auto inherited = replace(base_profile(), "[firewall]\n", "[firewall]\nnat = \"snat\"\n") +
                     "[[uplink]]\nname = \"a\"\ndevice = \"eth0\"\n";
    EXPECT_THAT(errors_of(inherited), ElementsAre("11:1: error: uplink \"a\" uses nat = \"snat\" "
                                                  "(from [firewall] nat) but has no \"snat_to\""));
}

// A profile with group "g" (10.8.1.0/24) and peers from peer_in_g: they
// start on line 13, each five lines and `more`, the address on its 5th.
std::string profile_with_group_g() {
    return base_profile() + "[[group]]\nname = \"g\"\nsubnet = \"10.8.1.0/24\"\n";
}
std::string peer_in_g(const char* name, const char* key, const char* address,
                      const std::string& more = "") {
    return std::string("[[peer]]\nname = \"") + name + "\"\ngroup = \"g\"\npublic_key = \"" + key +
           "\"\naddress = \"" + address + "\"\n" + more;
}

TEST(Rules, PeerAddressesAreCheckedAgainstTheirGroup) {
    const auto group = profile_with_group_g();
    auto peer = [](const char* name, const char* key, const char* address) {
        return peer_in_g(name, key, address);
    };
    const char* k1 = "3+2ztO9TJKFw3+6zW4JEVl2GvoU/4Afbp2dcPpWAk08=";
    const char* k2 = "mdmOfElBl0FwllYBCNySoS++vEkhX4TPBQlnhMFNSgQ=";
    // Peers start on line 13; each takes 5 lines, the address on its 5th.
    EXPECT_THAT(errors_of(group + peer("p", k1, "10.8.2.1")),
                ElementsAre("17:11: error: address 10.8.2.1 of peer \"p\" is outside subnet "
                            "10.8.1.0/24 of group \"g\""));
    EXPECT_THAT(errors_of(group + peer("p", k1, "10.8.1.0")),
                ElementsAre("17:11: error: address 10.8.1.0 of peer \"p\" is the network address "
                            "of 10.8.1.0/24"));
    EXPECT_THAT(errors_of(group + peer("p", k1, "10.8.1.255")),
                ElementsAre("17:11: error: address 10.8.1.255 of peer \"p\" is the broadcast "
                            "address of 10.8.1.0/24"));
    EXPECT_THAT(errors_of(group + peer("p", k1, "10.8.1.5") + peer("q", k1, "10.8.1.5")),
                ElementsAre("21:14: error: public key of peer \"q\" is already used by peer \"p\" "
                            "(line 16)",
                            "22:11: error: address 10.8.1.5 of peer \"q\" is already used by peer "
                            "\"p\" (line 17)"));
    EXPECT_THAT(errors_of(group + peer("p", k1, "10.8.1.5") + peer("p", k2, "10.8.1.6")),
                ElementsAre("19:8: error: duplicate peer name \"p\" (first defined on line 14)"));
}

// extra_addresses are checked like address, each at its own element.
TEST(Rules, ExtraAddressesAreCheckedLikeTheAddress) {
    const char* k1 = "3+2ztO9TJKFw3+6zW4JEVl2GvoU/4Afbp2dcPpWAk08=";
    const auto group = profile_with_group_g();
    auto peer = [&](const std::string& extra) {
        return peer_in_g("p", k1, "10.8.1.5", "extra_addresses = [" + extra + "]\n");
    };
    EXPECT_THAT(errors_of(group + peer("\"10.8.1.6\", \"10.8.2.1\"")),
                ElementsAre("18:32: error: extra_addresses 10.8.2.1 of peer \"p\" is outside "
                            "subnet 10.8.1.0/24 of group \"g\""));
    EXPECT_THAT(errors_of(group + peer("\"fd00::1\"")),
                ElementsAre("18:20: error: extra_addresses fd00::1 of peer \"p\" needs an IPv6 "
                            "subnet, but group \"g\" has no \"subnet6\""));
    EXPECT_THAT(errors_of(group + peer("\"10.8.1.5\"")),
                ElementsAre("18:20: error: address 10.8.1.5 of peer \"p\" is already used by "
                            "peer \"p\" (line 17)"));
    // "none": no address of the family, nothing allocated, no error.
    EXPECT_THAT(errors_of(group + peer_in_g("p", k1, "none")), IsEmpty());
}

TEST(Rules, PeerOnTheInterfaceAddress) {
    auto text = base_profile() + "[[group]]\nname = \"g\"\nsubnet = \"10.8.0.0/24\"\n" +
                "[[peer]]\nname = \"p\"\ngroup = \"g\"\n" +
                "public_key = \"3+2ztO9TJKFw3+6zW4JEVl2GvoU/4Afbp2dcPpWAk08=\"\n" +
                "address = \"10.8.0.1\"\n";
    EXPECT_THAT(errors_of(text), ElementsAre("17:11: error: address 10.8.0.1 of peer \"p\" is an "
                                             "address of interface \"wg0\""));
}

TEST(Warnings, MissingEndpoint) {
    auto text = replace(base_profile(), "endpoint = \"vpn.example.net:51820\"\n", "");
    EXPECT_THAT(warnings_of(text), ElementsAre("1:1: warning: no \"endpoint\" in [gateway]: client "
                                               "configs cannot be generated without it"));
    EXPECT_THAT(errors_of(text), IsEmpty());
}

TEST(Warnings, ManagementAbsentSaysWhichWay) {
    auto dropped = replace(base_profile(), "management = { allow = [\"198.51.100.7/32\"] }\n", "");
    EXPECT_THAT(warnings_of(dropped),
                ElementsAre("7:1: warning: no management access in [firewall]: SSH to the gateway "
                            "will be blocked by the default input drop policy"));
    auto open = replace(dropped, "[firewall]\n", "[firewall]\ninput = \"accept\"\n");
    EXPECT_THAT(warnings_of(open),
                ElementsAre("7:1: warning: no management access in [firewall]: with input = "
                            "\"accept\" SSH is open to everyone",
                            "8:9: warning: input = \"accept\": every service on the gateway is "
                            "reachable from anywhere"));
    auto no_firewall = replace(dropped, "[firewall]\n", "");
    EXPECT_THAT(warnings_of(no_firewall),
                ElementsAre("1:1: warning: no [firewall] management access: SSH to the gateway "
                            "will be blocked by the default input drop policy"));
    auto everyone = replace(base_profile(), "allow = [\"198.51.100.7/32\"] ", "port = 2222 ");
    EXPECT_THAT(warnings_of(everyone), ElementsAre("8:14: warning: management port 2222 is open "
                                                   "to everyone: \"allow\" is empty"));
}

TEST(Warnings, ForwardAccept) {
    auto text = replace(base_profile(), "[firewall]\n", "[firewall]\nforward = \"accept\"\n");
    EXPECT_THAT(warnings_of(text),
                ElementsAre("8:11: warning: forward = \"accept\": traffic through the gateway is "
                            "not filtered; group allow lists and isolation have no effect"));
}

TEST(Warnings, GroupWithoutEgressAmongSeveralUplinks) {
    auto text = base_profile() + "[[uplink]]\nname = \"a\"\ndevice = \"eth0\"\n" +
                "[[uplink]]\nname = \"b\"\ndevice = \"eth1\"\n" +
                "[[group]]\nname = \"g\"\nsubnet = \"10.8.1.0/24\"\n" +
                "[[group]]\nname = \"h\"\nsubnet = \"10.8.2.0/24\"\negress = \"b\"\n";
    EXPECT_THAT(warnings_of(text),
                ElementsAre("16:1: warning: group \"g\" has no \"egress\" while 2 uplinks exist: "
                            "its traffic leaves by the main routing table"));
    EXPECT_THAT(errors_of(text), IsEmpty());
}

TEST(Warnings, ForwardTargetOutsideEveryGroup) {
    auto text = base_profile() + "[[uplink]]\nname = \"a\"\ndevice = \"eth0\"\n" +
                "[[group]]\nname = \"g\"\nsubnet = \"10.8.1.0/24\"\n" +
                "[[forward]]\nport = 80\nto = \"10.8.2.5:8080\"\n";
    EXPECT_THAT(warnings_of(text),
                ElementsAre("18:6: warning: forward target 10.8.2.5 is not inside any group "
                            "subnet; make sure the gateway can route to it"));
    EXPECT_THAT(errors_of(text), IsEmpty());
}

TEST(Rules, DuplicateForwards) {
    auto text = base_profile() + "[[uplink]]\nname = \"a\"\ndevice = \"eth0\"\n" +
                "[[group]]\nname = \"g\"\nsubnet = \"10.8.1.0/24\"\n" +
                "[[forward]]\nport = 80\nto = \"10.8.1.5\"\n" +                  // 16-18
                "[[forward]]\nport = 80\nto = \"10.8.1.6\"\n" +                  // 19-21
                "[[forward]]\nproto = \"udp\"\nport = 80\nto = \"10.8.1.6\"\n";  // 22-25: ok
    EXPECT_THAT(errors_of(text), ElementsAre("20:8: error: forward tcp/80 on uplink \"a\" is "
                                             "already defined on line 17"));
}

TEST(Rules, LoaderNeverThrowsOnOddInput) {
    for (const char* text : {"", "\xff\xfe", "[[gateway]]\n", "gateway = 1\ninterface = [1, 2]\n",
                             "[gateway]\nname = \"\\u0000\"\n", "a.b.c.d.e = 1\n"}) {
        auto r = load_string(text, "odd.toml");
        EXPECT_FALSE(r.profile);
        EXPECT_TRUE(r.diagnostics.has_errors()) << text;
    }
}

}  // namespace
}  // namespace vpngw::profile
