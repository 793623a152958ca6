#include "store/state_dir_check.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <deque>

#include "util/system_dirs.hpp"

namespace vpngw::store {

namespace {

constexpr int kMaxLinks = 40;  // as the kernel's own path walk

Error refused(const std::string& dir, const std::string& why) {
    return Error{"cannot use " + dir + " as the state directory: " + why};
}

std::string owner_text(uid_t uid) {
    return "uid " + std::to_string(uid);
}

bool trusted_owner(uid_t uid) {
    return uid == 0 || uid == ::geteuid();
}

// A directory above the state directory: others must not be able to rename
// or replace what it holds.
std::string unsafe_above(const std::string& path, const struct stat& st) {
    if (!trusted_owner(st.st_uid))
        return path + " is owned by " + owner_text(st.st_uid) + ", who could replace what it holds";
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0)
        return path + " is writable by group or others, who could replace what it holds";
    return "";
}

// The state directory itself.
std::string unsafe_state_dir(const std::string& path, const struct stat& st) {
    if (!trusted_owner(st.st_uid))
        return "it is owned by " + owner_text(st.st_uid) + ", not by root or by " +
               owner_text(::geteuid()) + " running vpngw";
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return path + " is writable by group or others (mode " + mode +
               "); vpngw changes no mode of a directory it did not create: make it 0700 "
               "yourself";
    }
    return "";
}

std::deque<std::string> components(const std::string& path) {
    std::deque<std::string> out;
    std::size_t at = 0;
    while (at <= path.size()) {
        std::size_t slash = path.find('/', at);
        if (slash == std::string::npos) slash = path.size();
        if (slash > at) out.emplace_back(path.substr(at, slash - at));
        at = slash + 1;
    }
    return out;
}

std::string parent_of(const std::string& real) {
    const std::size_t slash = real.rfind('/');
    return slash == 0 || slash == std::string::npos ? "/" : real.substr(0, slash);
}

// Where a walk of the path got to: the real path of its longest existing
// prefix, and the components below it that do not exist yet.
struct Walked {
    std::string real;
    std::deque<std::string> missing;
};

// Walks `dir` like the kernel does, checking every directory on the way
// (and the owner of every symlink) before going into it.
Result<Walked> walk(const std::string& dir) {
    std::deque<std::string> pending = components(dir);
    std::string cur = "/";
    struct stat st {};
    if (::stat("/", &st) != 0)
        return refused(dir, std::string("cannot stat /: ") + std::strerror(errno));
    if (auto why = unsafe_above("/", st); !why.empty()) return refused(dir, why);
    int links = 0;
    while (!pending.empty()) {
        const std::string part = pending.front();
        pending.pop_front();
        if (part == ".") continue;
        if (part == "..") {
            cur = parent_of(cur);
            continue;
        }
        const std::string next = cur == "/" ? "/" + part : cur + "/" + part;
        if (::lstat(next.c_str(), &st) != 0) {
            if (errno != ENOENT)
                return refused(dir, "cannot stat " + next + ": " + std::strerror(errno));
            pending.push_front(part);
            return Walked{cur, std::move(pending)};
        }
        if (S_ISLNK(st.st_mode)) {
            if (++links > kMaxLinks) return refused(dir, "too many symbolic links");
            if (!trusted_owner(st.st_uid))
                return refused(
                    dir, "the symbolic link " + next + " is owned by " + owner_text(st.st_uid));
            char target[PATH_MAX];
            const ssize_t n = ::readlink(next.c_str(), target, sizeof target - 1);
            if (n < 0)
                return refused(dir, "cannot read the link " + next + ": " + std::strerror(errno));
            const std::string to(target, static_cast<std::size_t>(n));
            auto more = components(to);
            pending.insert(pending.begin(), more.begin(), more.end());
            if (!to.empty() && to.front() == '/') cur = "/";
            continue;
        }
        if (!S_ISDIR(st.st_mode)) return refused(dir, next + " is not a directory");
        // The state directory itself is held to its own rule below.
        if (!pending.empty())
            if (auto why = unsafe_above(next, st); !why.empty()) return refused(dir, why);
        cur = next;
    }
    return Walked{cur, {}};
}

Status check_system_dir(const std::string& dir, const std::string& real) {
    for (const std::string& path : {normal_path(dir), real})
        if (auto why = system_directory_reason(path); !why.empty())
            return refused(dir,
                           (path == normal_path(dir) ? "" : "it resolves to " + path + ": ") + why);
    return ok_status();
}

std::string joined(const std::string& real, const std::deque<std::string>& missing) {
    std::string out = real;
    for (const auto& part : missing) out += (out == "/" ? "" : "/") + part;
    return out;
}

}  // namespace

Status check_state_dir(const std::string& dir) {
    if (dir.empty() || dir.front() != '/') return refused(dir, "it is not an absolute path");
    auto walked = walk(dir);
    if (!walked) return walked.error();
    const std::string real = normal_path(joined(walked->real, walked->missing));
    if (auto st = check_system_dir(dir, real); !st) return st;
    if (!walked->missing.empty()) return ok_status();  // vpngw creates it, 0700
    struct stat st {};
    if (::stat(walked->real.c_str(), &st) != 0)
        return refused(dir, std::string("cannot stat it: ") + std::strerror(errno));
    if (auto why = unsafe_state_dir(walked->real, st); !why.empty()) return refused(dir, why);
    return ok_status();
}

Status prepare_state_dir(const std::string& dir) {
    if (auto st = check_state_dir(dir); !st) return st;
    auto walked = walk(dir);
    if (!walked) return walked.error();
    std::string cur = walked->real;
    for (const auto& part : walked->missing) {
        if (part == ".") continue;
        cur = part == ".." ? parent_of(cur) : (cur == "/" ? "/" : cur + "/") + part;
        if (part == "..") continue;
        if (::mkdir(cur.c_str(), 0700) == 0) {
            // Ours: the umask may have narrowed 0700 but never widens it; set it exactly.
            if (::chmod(cur.c_str(), 0700) != 0)
                return refused(dir, "cannot chmod " + cur + ": " + std::strerror(errno));
        } else if (errno != EEXIST) {
            return refused(dir, "cannot create " + cur + ": " + std::strerror(errno));
        }
        // EEXIST: made meanwhile by someone else; the check below judges it.
    }
    return check_state_dir(dir);
}

}  // namespace vpngw::store
