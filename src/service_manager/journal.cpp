#include "service_manager/journal.hpp"

#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace vpngw::service_manager {

bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (!stream) return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
    struct stat st {};
    if (::fstat(2, &st) != 0) return false;
    return static_cast<unsigned long long>(st.st_dev) == dev &&
           static_cast<unsigned long long>(st.st_ino) == ino;
}

bool journal_send(Priority priority, std::string_view message, const JournalFields& fields) {
    // sd_journal_sendv, not sd_journal_send: values are data, never a format,
    // and it stores a value with a newline in it as the journal's binary field.
    std::vector<std::string> items;
    items.push_back("MESSAGE=" + std::string(message));
    items.push_back("PRIORITY=" + std::to_string(static_cast<int>(priority)));
    items.emplace_back("SYSLOG_IDENTIFIER=vpngw");
    auto add = [&](const char* name, const std::string& value) {
        if (!value.empty()) items.push_back(std::string(name) + "=" + value);
    };
    add("OP", fields.op);
    add("PEER", fields.peer);
    add("GROUP", fields.group);
    add("UPLINK", fields.uplink);
    add("OBJECT_SYSTEMD_UNIT", fields.unit);
    std::vector<iovec> iov;
    iov.reserve(items.size());
    for (auto& item : items) iov.push_back({item.data(), item.size()});
    return sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) >= 0;
}

std::string unit_for_profile(std::string_view profile_path) {
    constexpr std::string_view dir = "/etc/vpngw/";
    constexpr std::string_view ext = ".toml";
    if (!profile_path.starts_with(dir) || !profile_path.ends_with(ext)) return "";
    auto name = profile_path.substr(dir.size(), profile_path.size() - dir.size() - ext.size());
    // Only names that are a unit instance as written (no systemd-escape needed).
    auto plain = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '.' || c == '-' || c == ':';
    };
    if (name.empty()) return "";
    for (char c : name)
        if (!plain(c)) return "";
    return "vpngw@" + std::string(name) + ".service";
}

}  // namespace vpngw::service_manager
