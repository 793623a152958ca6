// The nftables executor against the kernel, in a private network namespace
// (nothing here can touch the machine's own firewall). Needs root.

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "nft/observe.hpp"
#include "nft/ruleset.hpp"
#include "nft/write/elements.hpp"
#include "nft/write/new_table.hpp"
#include "nft/write/ruleset.hpp"
#include "support/netns_sandbox.hpp"

namespace vpngw::nft {
namespace {

using vpngw::test::sh;  // support/netns_sandbox.hpp

// Once per test process: a fresh network namespace with an empty ruleset.
std::string enter_netns() {
    static std::string why = []() -> std::string {
        if (geteuid() != 0) return "nft netns tests need root";
        if (unshare(CLONE_NEWNET) != 0)
            return std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
        if (sh("ip link set lo up").status != 0) return "ip link set lo up failed";
        return "";
    }();
    return why;
}

// What the plan layer renders: declare, delete, define, so one run replaces.
std::string sample_ruleset(const std::string& extra_chain = "") {
    return "table inet vpngw\n"
           "delete table inet vpngw\n"
           "table inet vpngw {\n"
           "  map peers4 {\n"
           "    type ipv4_addr : verdict\n"
           "  }\n"
           "  set allowed4 {\n"
           "    type ipv4_addr\n"
           "  }\n"
           "  chain grp_staff {\n"
           "    counter accept\n"
           "  }\n"
           "  chain grp_servers {\n"
           "    counter drop\n"
           "  }\n" +
           extra_chain +
           "  chain forward {\n"
           "    type filter hook forward priority 0; policy drop;\n"
           "    ip saddr vmap @peers4\n"
           "    ip daddr @allowed4 accept\n"
           "  }\n"
           "}\n";
}

class NftNetns : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string why = enter_netns();
        ASSERT_TRUE(why.empty()) << why;
        ASSERT_EQ(sh("nft flush ruleset").status, 0);  // our namespace only
    }
    static std::string ruleset() { return sh("nft list ruleset").out; }
};

IpAddress v4(const char* text) {
    return *IpAddress::parse(text);
}

TEST_F(NftNetns, ApplyAndReplace) {
    auto s = apply_ruleset(sample_ruleset());
    ASSERT_TRUE(s) << s.error().message;
    auto exists = table_exists();
    ASSERT_TRUE(exists);
    EXPECT_TRUE(*exists);
    auto listed = list_owned_table();
    ASSERT_TRUE(listed);
    ASSERT_TRUE(listed->has_value());
    EXPECT_NE((*listed)->find("chain grp_staff"), std::string::npos);
    EXPECT_EQ((*listed)->find("chain grp_new"), std::string::npos);

    // Re-applying a changed table replaces it, including what was removed.
    s = apply_ruleset(sample_ruleset("  chain grp_new {\n    accept\n  }\n"));
    ASSERT_TRUE(s) << s.error().message;
    listed = list_owned_table();
    ASSERT_TRUE(listed && listed->has_value());
    EXPECT_NE((*listed)->find("chain grp_new"), std::string::npos);
    s = apply_ruleset(sample_ruleset());
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(ruleset().find("grp_new"), std::string::npos);
    EXPECT_EQ(sh("nft list tables").out, "table inet vpngw\n");
}

TEST_F(NftNetns, CheckModeReportsErrorsAndChangesNothing) {
    ASSERT_TRUE(apply_ruleset(sample_ruleset()));
    const std::string before = ruleset();

    // A jump to a chain that does not exist: syntax is fine, the kernel says no.
    std::string broken = sample_ruleset("  chain grp_bad {\n    jump nowhere\n  }\n");
    auto s = check_ruleset(broken);
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("vpngw-ruleset:17:"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("jump nowhere"), std::string::npos) << s.error().message;
    EXPECT_EQ(ruleset(), before);

    // A syntax error names its line.
    std::string typo = sample_ruleset("  chain grp_typo {\n    acept\n  }\n");
    s = check_ruleset(typo);
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("vpngw-ruleset:17:"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("acept"), std::string::npos) << s.error().message;
    EXPECT_EQ(ruleset(), before);

    // apply of the broken text fails atomically: the old table is intact.
    s = apply_ruleset(broken, "office.nft");
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("office.nft:17:"), std::string::npos) << s.error().message;
    EXPECT_EQ(ruleset(), before);

    // Check of a good ruleset passes without applying it.
    ASSERT_TRUE(delete_owned_table());
    auto ok = check_ruleset(sample_ruleset());
    EXPECT_TRUE(ok) << ok.error().message;
    auto exists = table_exists();
    ASSERT_TRUE(exists);
    EXPECT_FALSE(*exists);
}

TEST_F(NftNetns, ForeignTablesSurvive) {
    ASSERT_EQ(
        sh("nft add table ip other && nft add chain ip other c && nft add rule ip other c counter")
            .status,
        0);
    ASSERT_TRUE(apply_ruleset(sample_ruleset()));
    EXPECT_NE(ruleset().find("table ip other"), std::string::npos);
    ASSERT_TRUE(delete_owned_table());
    const std::string after = ruleset();
    EXPECT_NE(after.find("table ip other"), std::string::npos);
    EXPECT_NE(after.find("counter"), std::string::npos);
    EXPECT_EQ(after.find("vpngw"), std::string::npos);
    // Deleting an absent table is not an error, and listing it gives nothing.
    EXPECT_TRUE(delete_owned_table());
    auto listed = list_owned_table();
    ASSERT_TRUE(listed);
    EXPECT_FALSE(listed->has_value());
    EXPECT_NE(ruleset().find("table ip other"), std::string::npos);
}

TEST_F(NftNetns, MapAndSetElements) {
    ASSERT_TRUE(apply_ruleset(sample_ruleset()));
    auto s = add_map_element("peers4", v4("10.8.1.5"), "grp_staff");
    ASSERT_TRUE(s) << s.error().message;
    ASSERT_TRUE(add_map_element("peers4", v4("10.8.2.9"), "grp_servers"));
    auto map = sh("nft list map inet vpngw peers4").out;
    EXPECT_NE(map.find("10.8.1.5 : jump grp_staff"), std::string::npos) << map;
    EXPECT_NE(map.find("10.8.2.9 : jump grp_servers"), std::string::npos) << map;

    ASSERT_TRUE(delete_map_element("peers4", v4("10.8.1.5")));
    map = sh("nft list map inet vpngw peers4").out;
    EXPECT_EQ(map.find("10.8.1.5"), std::string::npos) << map;
    EXPECT_NE(map.find("10.8.2.9"), std::string::npos) << map;

    ASSERT_TRUE(add_set_element("allowed4", v4("192.0.2.1")));
    EXPECT_NE(sh("nft list set inet vpngw allowed4").out.find("192.0.2.1"), std::string::npos);
    ASSERT_TRUE(delete_set_element("allowed4", v4("192.0.2.1")));
    EXPECT_EQ(sh("nft list set inet vpngw allowed4").out.find("192.0.2.1"), std::string::npos);

    // Errors say what failed: a missing element, a missing chain, a missing map.
    s = delete_map_element("peers4", v4("10.8.1.5"));
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("10.8.1.5"), std::string::npos) << s.error().message;
    s = add_map_element("peers4", v4("10.8.1.6"), "no_such_chain");
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("no_such_chain"), std::string::npos) << s.error().message;
    s = add_map_element("nomap", v4("10.8.1.6"), "grp_staff");
    ASSERT_FALSE(s);
    // An IPv6 key in an IPv4 map is refused by the kernel.
    EXPECT_FALSE(add_set_element("allowed4", *IpAddress::parse("fd00::1")));

    // A batch is all or nothing.
    s = apply_element_changes({{ElementChange::Op::add, "allowed4", v4("192.0.2.2"), {}},
                               {ElementChange::Op::remove, "allowed4", v4("192.0.2.99"), {}}});
    ASSERT_FALSE(s);
    EXPECT_EQ(sh("nft list set inet vpngw allowed4").out.find("192.0.2.2"), std::string::npos);
}

// What drift detection hashes: rules and definitions, not elements or counts.
TEST_F(NftNetns, SkeletonListingIgnoresElementsAndCountersOnly) {
    ASSERT_TRUE(apply_ruleset(sample_ruleset()));
    auto base = owned_table_skeleton();
    ASSERT_TRUE(base && base->has_value());
    EXPECT_NE((*base)->find("chain grp_staff"), std::string::npos) << **base;

    ASSERT_TRUE(add_map_element("peers4", v4("10.8.1.5"), "grp_staff"));
    ASSERT_TRUE(add_set_element("allowed4", v4("192.0.2.1")));
    auto with_elements = owned_table_skeleton();
    ASSERT_TRUE(with_elements && with_elements->has_value());
    EXPECT_EQ(**with_elements, **base);
    EXPECT_EQ((*with_elements)->find("10.8.1.5"), std::string::npos);
    // `counter packets N bytes M` would change with traffic.
    EXPECT_EQ((*with_elements)->find("packets"), std::string::npos);

    ASSERT_EQ(sh("nft insert rule inet vpngw grp_staff tcp dport 4242 accept").status, 0);
    auto edited = owned_table_skeleton();
    ASSERT_TRUE(edited && edited->has_value());
    EXPECT_NE(**edited, **base);
    // An anonymous set is part of its rule: a different one is a different rule.
    ASSERT_EQ(sh("nft flush chain inet vpngw grp_staff && "
                 "nft add rule inet vpngw grp_staff tcp dport { 22, 80 } accept")
                  .status,
              0);
    auto set_a = owned_table_skeleton();
    ASSERT_EQ(sh("nft flush chain inet vpngw grp_staff && "
                 "nft add rule inet vpngw grp_staff tcp dport { 22, 443 } accept")
                  .status,
              0);
    auto set_b = owned_table_skeleton();
    ASSERT_TRUE(set_a && set_a->has_value() && set_b && set_b->has_value());
    EXPECT_NE(**set_a, **set_b);

    ASSERT_TRUE(delete_owned_table());
    auto gone = owned_table_skeleton();
    ASSERT_TRUE(gone);
    EXPECT_FALSE(gone->has_value());
}

TEST_F(NftNetns, TenThousandElementsOneByOne) {
    ASSERT_TRUE(apply_ruleset(sample_ruleset()));
    for (std::uint32_t i = 0; i < 10000; ++i) {
        IpAddress a = IpAddress::v4(0x0a080000u + i);
        auto s = add_map_element("peers4", a, i % 2 ? "grp_staff" : "grp_servers");
        ASSERT_TRUE(s) << i << ": " << s.error().message;
    }
    auto count = sh("nft list map inet vpngw peers4 | grep -o 'jump grp_' | wc -l");
    EXPECT_EQ(count.out, "10000\n");
    EXPECT_NE(sh("nft list map inet vpngw peers4").out.find("10.8.39.15 : jump grp_staff"),
              std::string::npos);  // 0x0a08270f = element 9999
}

// A rendered ruleset with 5,000 peer elements (more than one batch).
std::string rendered_with_peers(const std::string& chain_of_last) {
    std::string text =
        "add table inet vpngw\ndelete table inet vpngw\n\ntable inet vpngw {\n"
        "\tmap peers4 {\n\t\ttype ipv4_addr : verdict\n\t\telements = {\n";
    for (std::uint32_t i = 0; i < 5000; ++i)
        text += "\t\t\t" + IpAddress::v4(0x0a090000u + i).str() + " : jump " +
                (i + 1 < 5000 ? std::string(i % 2 ? "grp_staff" : "grp_servers") + ",\n"
                              : chain_of_last + "\n");
    return text +
           "\t\t}\n\t}\n\n"
           "\tchain grp_staff {\n\t\tcounter accept\n\t}\n"
           "\tchain grp_servers {\n\t\tcounter drop\n\t}\n"
           "\tchain forward {\n\t\ttype filter hook forward priority 0; policy drop;\n"
           "\t\tip saddr vmap @peers4\n\t}\n}\n";
}

TEST_F(NftNetns, CreateTableLoadsElementsInBatchesLikeOneTransaction) {
    const std::string text = rendered_with_peers("grp_staff");
    ASSERT_TRUE(apply_ruleset(text));
    const std::string whole = ruleset();
    ASSERT_TRUE(delete_owned_table());

    auto s = create_table(text);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(ruleset(), whole);
    EXPECT_EQ(sh("nft list map inet vpngw peers4 | grep -o 'jump grp_' | wc -l").out, "5000\n");
}

TEST_F(NftNetns, CreateTableLeavesNoTableWhenElementsFail) {
    ASSERT_TRUE(delete_owned_table());
    // The last element jumps to a chain that does not exist: its batch fails.
    auto s = create_table(rendered_with_peers("grp_nowhere"));
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("grp_nowhere"), std::string::npos) << s.error().message;
    auto exists = table_exists();
    ASSERT_TRUE(exists);
    EXPECT_FALSE(*exists);
}

}  // namespace
}  // namespace vpngw::nft
