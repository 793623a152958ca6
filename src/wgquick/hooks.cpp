#include "wgquick/hooks.hpp"

#include <algorithm>
#include <sstream>

namespace vpngw::wgquick {
namespace {

std::vector<std::string> split_commands(const std::string& line) {
    std::vector<std::string> out;
    std::string current;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const bool semicolon = line[i] == ';';
        const bool and_and = line.compare(i, 2, "&&") == 0;
        if (semicolon || and_and) {
            out.push_back(current);
            current.clear();
            if (and_and) ++i;
            continue;
        }
        current += line[i];
    }
    out.push_back(current);
    return out;
}

std::vector<std::string> words(const std::string& command) {
    std::istringstream in(command);
    std::vector<std::string> out;
    for (std::string w; in >> w;) {
        if (w.size() >= 2 && (w.front() == '"' || w.front() == '\'') && w.back() == w.front())
            w = w.substr(1, w.size() - 2);
        out.push_back(w);
    }
    return out;
}

std::string base_name(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The value after `flag` (and its long form), or "" when absent.
std::string option(const std::vector<std::string>& w, std::initializer_list<const char*> flags) {
    for (std::size_t i = 0; i + 1 < w.size(); ++i)
        for (const char* f : flags)
            if (w[i] == f) return w[i + 1];
    return "";
}

bool has(const std::vector<std::string>& w, const char* word) {
    return std::find(w.begin(), w.end(), word) != w.end();
}

enum class Kind { unknown, masquerade, forward_accept, benign };

struct Command {
    Kind kind = Kind::unknown;
    std::string device;  // with masquerade
};

// iptables / ip6tables (-legacy, -nft): -A/-I/-D CHAIN ... -j TARGET.
Command iptables(const std::vector<std::string>& w) {
    const std::string table = option(w, {"-t", "--table"});
    std::string chain = option(w, {"-A", "--append", "-I", "--insert", "-D", "--delete"});
    const std::string target = option(w, {"-j", "--jump"});
    if ((table == "nat") && chain == "POSTROUTING" && target == "MASQUERADE")
        return {Kind::masquerade, option(w, {"-o", "--out-interface"})};
    if ((table.empty() || table == "filter") && chain == "FORWARD" && target == "ACCEPT") {
        const std::string in = option(w, {"-i", "--in-interface"});
        const std::string out = option(w, {"-o", "--out-interface"});
        if (in == "%i" || out == "%i") return {Kind::forward_accept, ""};
    }
    return {};
}

// nft add|insert|delete rule FAMILY TABLE CHAIN ... : a masquerade (with
// oifname/oif DEVICE) or an accept of the WireGuard interface's traffic.
Command nft(const std::vector<std::string>& w) {
    if (w.size() < 3 || w[2] != "rule") return {};
    if (has(w, "masquerade")) {
        std::string dev = option(w, {"oifname", "oif"});
        return {Kind::masquerade, dev};
    }
    if (has(w, "accept") &&
        (option(w, {"iifname", "iif"}) == "%i" || option(w, {"oifname", "oif"}) == "%i"))
        return {Kind::forward_accept, ""};
    return {};
}

// sysctl -w net.ipv4.ip_forward=1 (or the IPv6 forwarding switch): vpngw
// sets forwarding itself.
Command sysctl(const std::vector<std::string>& w) {
    for (const auto& x : w)
        if (x == "net.ipv4.ip_forward=1" || x == "net.ipv6.conf.all.forwarding=1" ||
            x == "net.ipv4.ip_forward=0" || x == "net.ipv6.conf.all.forwarding=0")
            return {Kind::benign, ""};
    return {};
}

Command classify(const std::string& command) {
    auto w = words(command);
    if (w.empty()) return {Kind::benign, ""};
    const std::string tool = base_name(w[0]);
    if (tool.rfind("iptables", 0) == 0 || tool.rfind("ip6tables", 0) == 0) return iptables(w);
    if (tool == "nft") return nft(w);
    if (tool == "sysctl") return sysctl(w);
    return {};
}

}  // namespace

HookFacts read_hooks(const std::vector<Hook>& hooks) {
    HookFacts facts;
    for (const auto& h : hooks) {
        bool all = true, bare = false;
        for (const auto& c : split_commands(h.command)) {
            const Command cmd = classify(c);
            if (cmd.kind == Kind::unknown) all = false;
            if (cmd.kind == Kind::masquerade && cmd.device.empty()) bare = true;
            // Only what runs on the way up sets the NAT; PostDown undoes it.
            const bool up = h.key == "PreUp" || h.key == "PostUp";
            if (cmd.kind == Kind::masquerade && up &&
                std::find(facts.masquerade_devices.begin(), facts.masquerade_devices.end(),
                          cmd.device) == facts.masquerade_devices.end())
                facts.masquerade_devices.push_back(cmd.device);
        }
        facts.translated.push_back(all);
        facts.needs_default_device.push_back(bare);
    }
    return facts;
}

}  // namespace vpngw::wgquick
