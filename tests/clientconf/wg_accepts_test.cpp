// The real wireguard-tools, which this project did not write, must accept
// our client configs: `wg-quick strip` splits off the wg-quick keys (and
// passes unknown ones on, which `wg` then rejects), `wg setconf` parses the
// rest onto a wireguard-go interface, and `wg showconf` shows what it took.
// All of it runs under `unshare --net --mount`: a fresh network namespace
// and a private tmpfs on /run (wireguard-go's socket directory), both gone
// when the shell exits. Needs root; fails (does not skip) without it.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "clientconf/client_config.hpp"

namespace vpngw::clientconf {
namespace {

constexpr const char* kClientPrivate = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
constexpr const char* kServerPublic = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
constexpr const char* kPsk = "FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE=";

// wireguard-go runs in the foreground under the shell, which kills it by PID on exit.
constexpr const char* kScript = R"(
mount -t tmpfs -o mode=0700 vpngw-test /run
wireguard-go -f vpngwcc0 >/dev/null 2>&1 & wgpid=$!
trap 'kill $wgpid; wait $wgpid 2>/dev/null' EXIT
for i in $(seq 100); do [ -S /run/wireguard/vpngwcc0.sock ] && break; sleep 0.05; done
wg-quick strip "$1" > "$1.stripped"
wg setconf vpngwcc0 "$1.stripped"
wg showconf vpngwcc0
)";

struct ToolRun {
    int status = -1;
    std::string out;  // stdout and stderr
};

ToolRun run_in_netns(const std::string& conf_path) {
    int out[2];
    if (pipe(out) != 0) return {};
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], 1);
        dup2(out[1], 2);
        close(out[0]);
        close(out[1]);
        execlp("unshare", "unshare", "--net", "--mount", "--propagation", "private", "sh", "-ec",
               kScript, "sh", conf_path.c_str(), nullptr);
        _exit(127);
    }
    close(out[1]);
    ToolRun r;
    char buf[4096];
    ssize_t n;
    while ((n = read(out[0], buf, sizeof buf)) > 0) r.out.append(buf, static_cast<size_t>(n));
    close(out[0]);
    waitpid(pid, &r.status, 0);
    return r;
}

// "Key = value" lines of `wg showconf`, keyed by section and key.
std::map<std::string, std::string> fields(const std::string& showconf) {
    std::map<std::string, std::string> f;
    std::istringstream in(showconf);
    std::string line, section;
    while (std::getline(in, line)) {
        if (line.size() > 2 && line.front() == '[') section = line;
        auto eq = line.find(" = ");
        if (eq != std::string::npos) f[section + line.substr(0, eq)] = line.substr(eq + 3);
    }
    return f;
}

std::set<std::string> split_list(const std::string& s) {
    std::set<std::string> out;
    std::istringstream in(s);
    std::string item;
    while (std::getline(in, item, ',')) {
        while (!item.empty() && item.front() == ' ') item.erase(0, 1);
        out.insert(item);
    }
    return out;
}

model::Profile profile_with(model::Group g) {
    model::Profile p;
    model::Interface wg0;
    wg0.name = "wg0";
    wg0.addresses = {*Prefix::parse("10.8.0.1/16"), *Prefix::parse("fd08::1/48")};
    p.interfaces.push_back(wg0);
    p.groups.push_back(std::move(g));
    return p;
}

struct Case {
    const char* name;
    model::Tunnel tunnel;
    bool own_key;
    bool psk;
    const char* endpoint;
    std::set<std::string> allowed;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.name;
}

class WgAccepts : public ::testing::TestWithParam<Case> {};

TEST_P(WgAccepts, RenderedConfig) {
    ASSERT_EQ(geteuid(), 0u) << "this test needs root (network and mount namespaces)";
    const Case& c = GetParam();
    model::Group g;
    g.name = "staff";
    g.interface = "wg0";
    g.subnet = Prefix::parse("10.8.1.0/24");
    g.subnet6 = Prefix::parse("fd08:0:0:1::/64");
    g.tunnel = c.tunnel;
    model::AllowEntry e;
    e.kind = model::AllowEntry::Kind::prefix;
    e.prefix = *Prefix::parse("192.168.7.0/24");
    g.allow.push_back(e);
    auto p = profile_with(g);

    ClientConfigInput in;
    in.peer_name = "alice";
    if (!c.own_key) in.private_key = SecretKey::from_base64(kClientPrivate);
    in.address = IpAddress::parse("10.8.1.2");
    in.address6 = IpAddress::parse("fd08:0:0:1::2");
    in.group = g;
    in.interface = p.interfaces[0];
    in.endpoint = *Endpoint::parse(c.endpoint);  // an IP: the namespace has no DNS
    in.server_public_key = *PublicKey::from_base64(kServerPublic);
    if (c.psk) in.preshared_key = SecretKey::from_base64(kPsk);
    auto conf = render_client_config(in, p);
    ASSERT_TRUE(conf.ok()) << conf.error().str();

    char dir[] = "/tmp/vpngw-wgconf-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    const std::string path = std::string(dir) + "/client.conf";  // wg-quick wants NAME.conf
    std::ofstream(path, std::ios::binary) << conf->str();
    ToolRun r = run_in_netns(path);
    std::filesystem::remove_all(dir);
    ASSERT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0)
        << "wireguard-tools rejected the config (status " << r.status << "):\n"
        << r.out;

    auto f = fields(r.out);
    if (c.own_key)
        EXPECT_EQ(f.count("[Interface]PrivateKey"), 0u) << r.out;
    else
        EXPECT_EQ(f["[Interface]PrivateKey"], kClientPrivate);
    EXPECT_EQ(f["[Peer]PublicKey"], kServerPublic);
    if (c.psk)
        EXPECT_EQ(f["[Peer]PresharedKey"], kPsk);
    else
        EXPECT_EQ(f.count("[Peer]PresharedKey"), 0u);
    EXPECT_EQ(f["[Peer]Endpoint"], c.endpoint);
    EXPECT_EQ(split_list(f["[Peer]AllowedIPs"]), c.allowed);
    EXPECT_EQ(f["[Peer]PersistentKeepalive"], "25");
}

INSTANTIATE_TEST_SUITE_P(Configs, WgAccepts,
                         ::testing::Values(Case{"full_psk",
                                                model::Tunnel::full,
                                                false,
                                                true,
                                                "192.0.2.1:51820",
                                                {"0.0.0.0/0", "::/0"}},
                                           Case{"split_ownkey_v6_endpoint",
                                                model::Tunnel::split,
                                                true,
                                                false,
                                                "[2001:db8::1]:51821",
                                                {"10.8.0.0/16", "192.168.7.0/24", "fd08::/48"}}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace vpngw::clientconf
