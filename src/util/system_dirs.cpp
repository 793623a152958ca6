#include "util/system_dirs.hpp"

#include <climits>
#include <cstdlib>
#include <vector>

namespace vpngw {

namespace {

// Each shared by the system and other software; vpngw wants a directory of
// its own below one of them.
constexpr std::string_view kSystemDirs[] = {
    "/",
    "/bin",
    "/boot",
    "/etc",
    "/home",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/media",
    "/mnt",
    "/opt",
    "/root",
    "/run",
    "/run/lock",
    "/run/user",
    "/sbin",
    "/srv",
    "/tmp",
    "/usr",
    "/usr/bin",
    "/usr/lib",
    "/usr/lib64",
    "/usr/libexec",
    "/usr/local",
    "/usr/local/bin",
    "/usr/local/lib",
    "/usr/local/sbin",
    "/usr/local/share",
    "/usr/sbin",
    "/usr/share",
    "/var",
    "/var/backups",
    "/var/cache",
    "/var/lib",
    "/var/local",
    "/var/lock",
    "/var/log",
    "/var/mail",
    "/var/opt",
    "/var/run",
    "/var/spool",
    "/var/tmp",
    "/lost+found",
};

// Kernel filesystems: nothing below them holds ordinary files.
constexpr std::string_view kKernelTrees[] = {"/proc", "/sys", "/dev"};

bool inside(std::string_view path, std::string_view tree) {
    return path == tree ||
           (path.starts_with(tree) && path.size() > tree.size() && path[tree.size()] == '/');
}

}  // namespace

std::string normal_path(std::string_view absolute) {
    std::vector<std::string_view> parts;
    std::size_t at = 0;
    while (at <= absolute.size()) {
        std::size_t slash = absolute.find('/', at);
        if (slash == std::string_view::npos) slash = absolute.size();
        const std::string_view part = absolute.substr(at, slash - at);
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        at = slash + 1;
    }
    std::string out;
    for (const auto& p : parts) {
        out += '/';
        out += p;
    }
    return out.empty() ? "/" : out;
}

std::string resolved_path(const std::string& absolute) {
    std::string existing = normal_path(absolute);
    std::string rest;
    for (;;) {
        char real[PATH_MAX];
        if (::realpath(existing.c_str(), real)) return normal_path(std::string(real) + "/" + rest);
        if (existing == "/") return normal_path("/" + rest);
        const std::size_t slash = existing.rfind('/');
        rest = existing.substr(slash + 1) + (rest.empty() ? "" : "/" + rest);
        existing = slash == 0 ? "/" : existing.substr(0, slash);
    }
}

std::string system_directory_reason(std::string_view normal) {
    for (auto tree : kKernelTrees)
        if (inside(normal, tree))
            return "it lies in " + std::string(tree) + ", a kernel filesystem";
    for (auto dir : kSystemDirs)
        if (normal == dir)
            return "it is a system directory shared with other software; use a directory of "
                   "vpngw's own such as /var/lib/vpngw";
    return "";
}

}  // namespace vpngw
