// `vpngw export wg-quick` and `import wg-quick` with hostile strings (issue
// 16): key-file paths in PostUp stay one word through wg-quick's own parser
// and bash; comments stay comments; the imported profile's strings read back
// exactly with toml++. Each test fails on a3739bc.

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <filesystem>

#include "../escape/samples.hpp"
#include "wgquick/config.hpp"
#include "wgquick/translate.hpp"

namespace vpngw::wgquick {
namespace {

using escape::testing::run_bash;
using escape::testing::TempDir;

// Parses `conf` with the installed wg-quick's parse_options, runs its PostUp
// hooks with execute_hooks and `wg` recording each call's argv (NUL after
// each argument, a newline per call). Prints the number of PostUp hooks last.
std::string run_wg_quick_hooks(const TempDir& dir, const std::string& conf) {
    dir.write("wgx0.conf", conf);
    return run_bash("set -e -o pipefail\nshopt -s extglob\nexport LC_ALL=C\ncd " + dir.path() +
                    "\nsource <(sed -n '/^die() {/,/^}/p;/^read_bool() {/,/^}/p;"
                    "/^parse_options() {/,/^}/p;/^execute_hooks() {/,/^}/p' "
                    "\"$(command -v wg-quick)\")\n"
                    "wg() { printf '%s\\0' \"$@\"; printf '\\n'; }\n"
                    "parse_options " +
                    dir.path() + "/wgx0.conf\nexecute_hooks \"${POST_UP[@]}\" 2>/dev/null\n" +
                    "printf '%s' \"${#POST_UP[@]}\"\n");
}

std::string argv(std::initializer_list<std::string> args) {
    std::string out;
    for (const auto& a : args) out += a + '\0';
    return out + "\n";
}

TEST(WgQuickExportEscape, KeyFilePathsReachWgAsOneWord) {
    TempDir dir;
    const std::string marker = dir.path() + "/pwned";
    const std::string weird = dir.path() + "/a b$(touch " + marker + ")'\"`x`;#c %i\\";
    const std::string key = weird + "/wg0.key", psk = weird + "/psk/alice.psk";
    const std::string pub = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
    Config c;
    c.private_key = SecretKey::from_base64("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=");
    Peer p;
    ASSERT_TRUE(PublicKey::from_base64(pub));
    p.public_key = *PublicKey::from_base64(pub);
    c.peers.push_back(p);
    RenderOptions o;
    o.private_key_file = key;
    o.psk_files = {{pub, psk}};
    auto out = run_wg_quick_hooks(dir, std::string(render(c, o).view()));
    EXPECT_EQ(out, argv({"set", "wgx0", "private-key", key}) +
                       argv({"set", "wgx0", "peer", pub, "preshared-key", psk}) + "2");
    EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(WgQuickExportEscape, HeaderAndPeerNamesStayComments) {
    TempDir dir;
    Config c;
    Peer p;
    p.public_key = *PublicKey::from_base64("xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=");
    p.comment_name = "bob\nPostUp = touch " + dir.path() + "/pwned2";
    c.peers.push_back(p);
    RenderOptions o;
    o.secrets = Secrets::inline_keys;
    o.header = {"exported from /etc/vpngw/x\nPostUp = touch " + dir.path() + "/pwned",
                "\xe2\x80\xae"
                "reversed\r"};
    const std::string text(render(c, o).view());
    EXPECT_EQ(run_wg_quick_hooks(dir, text), "0");
    EXPECT_FALSE(std::filesystem::exists(dir.path() + "/pwned"));
    EXPECT_NE(text.find("# \\u{202e}reversed\\x0d\n"), std::string::npos) << text;
}

TEST(WgQuickImportEscape, ProfileStringsReadBackAndCommentsStayComments) {
    Config c;
    c.addresses = {*Prefix::parse("10.66.0.1/24")};
    c.hooks = {{"PostUp", "iptables -A x\xe2\x80\xa8[gateway]\x01", 3},
               {"PostDown", "echo \"\\\" '", 4}};
    ImportOptions o;
    o.source = "/etc/wireguard/wg0.conf\n[firewall]\ninput = \"accept\"";
    o.ifname = "wg0";
    o.state_dir = "/srv/st\"ate\\\n\xe2\x80\xa8x";
    const auto imported = translate(c, o);
    toml::table t;
    try {
        t = toml::parse(imported.profile);
    } catch (const toml::parse_error& e) {
        FAIL() << e.description() << "\n" << imported.profile;
    }
    EXPECT_EQ(t["gateway"]["state_dir"].value<std::string>(), o.state_dir);
    EXPECT_EQ(t["gateway"]["name"].value<std::string>(), "wg0");
    EXPECT_FALSE(t["firewall"]["input"]) << imported.profile;
    std::size_t top = 0;
    for ([[maybe_unused]] const auto& kv : t) ++top;
    EXPECT_EQ(top, 4u);  // gateway, interface, group, firewall
}

}  // namespace
}  // namespace vpngw::wgquick
