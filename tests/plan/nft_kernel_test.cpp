// Loads every golden ruleset into the kernel, inside a network namespace of
// this process's own (label netns: needs root). The root namespace of the
// machine is never touched: the test refuses to run unless unshare() gave it
// a fresh one.

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "golden.hpp"
#include "plan/nft_ruleset.hpp"
#include "support/fixtures.hpp"
#include "support/run_command.hpp"

namespace vpngw::plan::testing {
namespace {

bool g_private_netns = false;
std::string g_netns_problem = "namespace setup did not run";

ino_t netns_inode() {
    struct stat st {};
    return stat("/proc/self/ns/net", &st) == 0 ? st.st_ino : 0;
}

// Runs once before the tests (not while CTest lists them).
class PrivateNetns : public ::testing::Environment {
  public:
    void SetUp() override {
        if (geteuid() != 0) {
            g_netns_problem = "needs root to create a network namespace (label netns)";
            return;
        }
        const ino_t before = netns_inode();
        if (unshare(CLONE_NEWNET) != 0) {
            g_netns_problem = std::string("unshare(CLONE_NEWNET) failed: ") + strerror(errno);
            return;
        }
        if (before == 0 || netns_inode() == before) {
            g_netns_problem = "still in the original network namespace after unshare";
            return;
        }
        if (run_command({"nft", "--version"}).status != 0) {
            g_netns_problem = "nft is not installed (apt install nftables)";
            return;
        }
        g_private_netns = true;
    }
};
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new PrivateNetns);

class NftKernel : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(g_private_netns) << g_netns_problem; }
    void TearDown() override {
        if (!g_private_netns) return;
        run_command({"nft", "delete", "table", "inet", "vpngw"});
        run_command({"nft", "delete", "table", "ip", "foreign"});
    }

    static CommandResult nft(std::vector<std::string> args) {
        args.insert(args.begin(), "nft");
        return run_command(args);
    }
    static void expect_ok(const std::vector<std::string>& args) {
        auto r = nft(args);
        std::string cmd = "nft";
        for (const auto& a : args) cmd += " " + a;
        EXPECT_EQ(r.status, 0) << cmd << " failed:\n" << r.output;
    }

    std::string write_temp(const std::string& text) {
        const auto path =
            std::filesystem::temp_directory_path() /
            ("vpngw-plan-" + std::to_string(getpid()) + "-" + std::to_string(counter_++) + ".nft");
        std::ofstream(path) << text;
        paths_.push_back(path);
        return path.string();
    }
    ~NftKernel() override {
        for (const auto& p : paths_) std::filesystem::remove(p);
    }

    // The whole load cycle every ruleset must pass.
    void load_cycle(const std::string& file) {
        expect_ok({"add", "table", "ip", "foreign"});
        expect_ok({"add", "chain", "ip", "foreign", "keep"});
        expect_ok({"-c", "-f", file});
        expect_ok({"-f", file});
        // The replace idiom, now that the table exists.
        expect_ok({"-f", file});
        auto listed = nft({"list", "table", "inet", "vpngw"});
        EXPECT_EQ(listed.status, 0) << listed.output;
        auto foreign = nft({"list", "table", "ip", "foreign"});
        EXPECT_EQ(foreign.status, 0) << "a foreign table did not survive:\n" << foreign.output;
        EXPECT_NE(foreign.output.find("chain keep"), std::string::npos) << foreign.output;
        expect_elements_listed(read_file(file), listed.output);
    }

    // Every peer-map element of the file is in the kernel's listing.
    static void expect_elements_listed(const std::string& file, const std::string& listed) {
        static const std::regex element(R"(([0-9a-f.:]+ : jump grp_[^,\s]+))");
        int count = 0;
        for (std::sregex_iterator it(file.begin(), file.end(), element), end; it != end; ++it) {
            ++count;
            EXPECT_NE(listed.find((*it)[1].str()), std::string::npos)
                << "element " << (*it)[1] << " missing from:\n"
                << listed;
        }
        SCOPED_TRACE(count);
    }

  private:
    int counter_ = 0;
    std::vector<std::filesystem::path> paths_;
};

std::vector<std::string> golden_rulesets() {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(golden_dir()))
        if (e.path().extension() == ".nft") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    return files;
}

TEST_F(NftKernel, EveryGoldenRulesetLoadsTwiceAndLeavesOtherTablesAlone) {
    auto files = golden_rulesets();
    ASSERT_FALSE(files.empty()) << "no golden .nft files in " << golden_dir();
    for (const auto& f : files) {
        SCOPED_TRACE(f);
        load_cycle(f);
        TearDown();
    }
}

TEST_F(NftKernel, OfficeSetsMapsAndCountersAsListedByTheKernel) {
    load_cycle(write_temp(render_nft_ruleset(office())));
    auto peers = nft({"list", "set", "inet", "vpngw", "peers4"});
    ASSERT_EQ(peers.status, 0) << peers.output;
    for (const char* e : {"10.8.1.1", "10.8.1.5", "10.8.2.10"})
        EXPECT_NE(peers.output.find(e), std::string::npos) << e << " in\n" << peers.output;
    auto forward = nft({"list", "chain", "inet", "vpngw", "forward"});
    EXPECT_NE(forward.output.find("ip saddr @peers4 ip saddr vmap { 10.8.1.0/24 : jump grp_staff, "
                                  "10.8.2.0/24 : jump grp_servers }"),
              std::string::npos)
        << forward.output;
    auto egress = nft({"list", "map", "inet", "vpngw", "egress4"});
    EXPECT_NE(egress.output.find("10.8.1.0/24 : 0x00051002"), std::string::npos) << egress.output;
    auto mgmt = nft({"list", "set", "inet", "vpngw", "mgmt4"});
    EXPECT_NE(mgmt.output.find("198.51.100.7"), std::string::npos) << mgmt.output;
    auto counters = nft({"list", "counters", "table", "inet", "vpngw"});
    for (const char* c : {"input_drops", "forward_drops", "spoofed_drops"})
        EXPECT_NE(counters.output.find(std::string("counter ") + c), std::string::npos)
            << counters.output;
    auto hooks = nft({"list", "table", "inet", "vpngw"});
    for (const char* h :
         {"hook prerouting priority mangle", "hook prerouting priority dstnat",
          "hook input priority filter; policy drop", "hook forward priority filter; policy drop",
          "type route hook output priority mangle", "hook postrouting priority srcnat"})
        EXPECT_NE(hooks.output.find(h), std::string::npos) << h << " in\n" << hooks.output;
}

// Management prefixes are written by hand and may overlap; nft once refused
// the whole table with "conflicting intervals specified".
TEST_F(NftKernel, OverlappingManagementPrefixesLoadMerged) {
    auto p = office();
    p.firewall.management->allow = {pfx("198.51.100.0/24"), pfx("198.51.100.7/32"),
                                    pfx("2001:db8::/32"), pfx("2001:db8:1::/48")};
    load_cycle(write_temp(render_nft_ruleset(p)));
    auto mgmt4 = nft({"list", "set", "inet", "vpngw", "mgmt4"});
    EXPECT_NE(mgmt4.output.find("elements = { 198.51.100.0/24 }"), std::string::npos)
        << mgmt4.output;
    auto mgmt6 = nft({"list", "set", "inet", "vpngw", "mgmt6"});
    EXPECT_NE(mgmt6.output.find("elements = { 2001:db8::/32 }"), std::string::npos) << mgmt6.output;
}

TEST_F(NftKernel, ReplacingWithAnotherProfileDropsWhatItNoLongerHas) {
    load_cycle(write_temp(render_nft_ruleset(office())));
    expect_ok({"-f", write_temp(render_nft_ruleset(minimal()))});
    auto listed = nft({"list", "table", "inet", "vpngw"});
    EXPECT_EQ(listed.output.find("grp_staff"), std::string::npos) << listed.output;
    EXPECT_NE(listed.output.find("chain grp_all"), std::string::npos) << listed.output;
    EXPECT_EQ(nft({"list", "table", "ip", "foreign"}).status, 0);
}

TEST_F(NftKernel, AddingOnePeerIsOneElement) {
    // What `vpngw peer add` will do: one element, no ruleset reload.
    load_cycle(write_temp(render_nft_ruleset(minimal())));
    expect_ok({"add", "element", "inet", "vpngw", "peers4", "{ 10.9.0.50 }"});
    auto peers = nft({"list", "set", "inet", "vpngw", "peers4"});
    EXPECT_NE(peers.output.find("10.9.0.50"), std::string::npos) << peers.output;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
}

TEST_F(NftKernel, FiveThousandPeersAndOddGroupNames) {
    auto p = minimal();
    p.interfaces[0].addresses = {pfx("10.9.0.1/16"), pfx("fd09::1/64")};
    p.groups[0].subnet = pfx("10.9.64.0/18");
    p.groups[0].subnet6 = pfx("fd09::/64");
    p.groups[0].allow = {allow("group:a=b+c tcp/22"), allow("any")};
    p.groups.push_back(group("a=b+c", "wg0", "10.9.0.0/20"));
    p.groups[1].isolate = true;
    p.groups[1].allow = {allow("group:all")};
    p.peers.clear();
    for (int i = 0; i < 5000; ++i)
        p.peers.push_back(peer(("p" + std::to_string(i)).c_str(), i % 10 ? "all" : "a=b+c", i));
    load_cycle(write_temp(render_nft_ruleset(p)));
    auto peers4 = nft({"list", "set", "inet", "vpngw", "peers4"});
    EXPECT_EQ(count(peers4.output, "10.9."), 5000u);
    auto peers6 = nft({"list", "set", "inet", "vpngw", "peers6"});
    EXPECT_EQ(count(peers6.output, "fd09::"), 4500u);
    auto forward = nft({"list", "chain", "inet", "vpngw", "forward"});
    EXPECT_NE(forward.output.find("10.9.0.0/20 : jump grp_a/eb/pc"), std::string::npos)
        << forward.output;
    auto chain = nft({"list", "chain", "inet", "vpngw", "grp_a/eb/pc"});
    EXPECT_EQ(chain.status, 0) << chain.output;
    EXPECT_NE(chain.output.find("ip daddr @grp_a/eb/pc_net4"), std::string::npos) << chain.output;
}

}  // namespace
}  // namespace vpngw::plan::testing
