#include "registry/registry.hpp"

#include <unistd.h>

#include <cstdlib>
#include <utility>
#include <vector>

#include "model/peer_limits.hpp"
#include "registry/peer_text.hpp"

namespace vpngw::registry {
namespace {

// Login names as useradd accepts them; anything else in SUDO_USER (an
// environment variable, so caller-controlled) falls back to the uid.
bool is_plain_user(std::string_view user) {
    if (user.empty() || user.size() > 32) return false;
    for (char c : user)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    return true;
}

std::string utc(std::chrono::sys_seconds t) {
    const auto day = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss hms{t - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                  int(hms.minutes().count()), int(hms.seconds().count()));
    return buf;
}

}  // namespace

Actor current_actor(std::string command) {
    const char* sudo = std::getenv("SUDO_USER");
    std::string user =
        sudo && is_plain_user(sudo) ? std::string(sudo) : "uid " + std::to_string(::getuid());
    return Actor{std::move(user), std::move(command)};
}

namespace {

// Every field an audit line may name, "-" when absent; the public key only
// as a fingerprint of whether it changed.
std::vector<std::pair<std::string, std::string>> audit_fields(const PeerRecord& p) {
    std::string networks;
    for (const auto& n : p.networks) networks += (networks.empty() ? "" : ",") + n.str();
    return {
        {"name", p.name},
        {"group", p.group},
        {"address", p.address ? p.address->str() : "-"},
        {"address6", p.address6 ? p.address6->str() : "-"},
        {"psk", p.has_psk ? "yes" : "no"},
        {"disabled", p.disabled ? "yes" : "no"},
        {"expires", p.expires ? utc(*p.expires) : "-"},
        {"quota", quota_of(p) ? model::format_quota(*quota_of(p)) : "-"},
        {"rate", p.rate_bits ? model::format_rate(*p.rate_bits) : "-"},
        {"networks", networks.empty() ? "-" : networks},
    };
}

}  // namespace

std::string describe_fields(const PeerRecord& p) {
    std::string out;
    for (const auto& [key, value] : audit_fields(p)) {
        if (key == "name" || value == "-" || (key == "disabled" && value == "no")) continue;
        out += (out.empty() ? "" : " ") + key + "=" + value;
    }
    return out;
}

std::string describe_change(const PeerRecord& before, const PeerRecord& after) {
    const auto a = audit_fields(before), b = audit_fields(after);
    std::string out;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].second != b[i].second)
            out += (out.empty() ? "" : " ") + b[i].first + "=" + b[i].second;
    if (before.public_key != after.public_key)
        out += std::string(out.empty() ? "" : " ") + "public_key=new";
    return out;
}

}  // namespace vpngw::registry
