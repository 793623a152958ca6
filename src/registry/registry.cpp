#include "registry/registry.hpp"

#include <unistd.h>

#include <cstdlib>

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

std::string describe_fields(const PeerRecord& p) {
    std::string out = "group=" + p.group;
    if (p.address) out += " address=" + p.address->str();
    if (p.address6) out += " address6=" + p.address6->str();
    out += p.has_psk ? " psk=yes" : " psk=no";
    if (p.disabled) out += " disabled=yes";
    if (p.expires) out += " expires=" + utc(*p.expires);
    if (p.quota_bytes) out += " quota=" + std::to_string(*p.quota_bytes) + "/" + p.quota_period;
    if (p.rate_bits) out += " rate=" + std::to_string(*p.rate_bits);
    for (const auto& n : p.networks) out += " network=" + n.str();
    return out;
}

}  // namespace vpngw::registry
