#include "store/atomic_file.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <vector>

#include "util/unique_fd.hpp"

namespace vpngw::store {

namespace {

Error sys_error(const std::string& what, const std::string& path, int err) {
    return Error{what + " " + path + ": " + std::strerror(err)};
}

std::string parent_of(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string random_suffix() {
    unsigned char r[6] = {};
    if (getrandom(r, sizeof r, 0) != static_cast<ssize_t>(sizeof r)) {
        // Only uniqueness matters here (O_EXCL catches collisions); fall back to the clock.
        auto t =
            static_cast<unsigned long>(std::time(nullptr)) ^ static_cast<unsigned long>(getpid());
        std::memcpy(r, &t, sizeof r < sizeof t ? sizeof r : sizeof t);
    }
    char hex[13];
    for (int i = 0; i < 6; ++i) std::snprintf(hex + 2 * i, 3, "%02x", r[i]);
    return hex;
}

Status write_all(int fd, std::string_view bytes, const std::string& path) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return sys_error("cannot write", path, errno);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return ok_status();
}

// The temp file, write, fsync, rename and directory fsync of both writers:
// `base` is a plain name inside `dirfd`; `path` is only for messages.
Status write_in_dir(int dirfd, const std::string& dir, const std::string& base,
                    const std::string& path, std::string_view bytes, mode_t mode,
                    AfterPowerLoss after = AfterPowerLoss::new_file) {
    std::string tmp;
    UniqueFd fd;
    for (int attempt = 0; attempt < 16 && !fd.valid(); ++attempt) {
        tmp = "." + base + ".tmp." + std::to_string(getpid()) + "." + random_suffix();
        // O_EXCL|O_NOFOLLOW: never open a file (or a symlink's target) that
        // someone else placed under the temporary name.
        fd = UniqueFd(::openat(dirfd, tmp.c_str(),
                               O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!fd.valid() && errno != EEXIST)
            return sys_error("cannot create", dir + "/" + tmp, errno);
    }
    if (!fd.valid()) return Error{"cannot create a unique temporary file in " + dir};

    auto fail = [&](Error e) -> Status {
        fd.reset();
        ::unlinkat(dirfd, tmp.c_str(), 0);
        return e;
    };
    // The creation mode was filtered by the umask; set the one asked for on
    // the descriptor (never by name, which could be swapped meanwhile).
    if (::fchmod(fd.get(), mode) != 0) return fail(sys_error("cannot chmod", path, errno));
    if (auto s = write_all(fd.get(), bytes, path); !s) return fail(s.error());
    if (::fsync(fd.get()) != 0) return fail(sys_error("cannot fsync", path, errno));
    if (fd.close_now() != 0) return fail(sys_error("cannot close", path, errno));
    // rename(2) replaces a symlink at `base` itself; it never writes through one.
    if (::renameat(dirfd, tmp.c_str(), dirfd, base.c_str()) != 0)
        return fail(sys_error("cannot rename into place", path, errno));
    // Without this the rename itself may not survive a power loss.
    if (after == AfterPowerLoss::new_file && ::fsync(dirfd) != 0)
        return sys_error("cannot fsync directory", dir, errno);
    return ok_status();
}

bool plain_component(const std::string& part) {
    return !part.empty() && part != "." && part != "..";
}

}  // namespace

Status atomic_write_file(const std::string& path, std::string_view bytes, mode_t mode,
                         AfterPowerLoss after) {
    const std::string dir = parent_of(path);
    const std::string base = base_of(path);
    if (!plain_component(base)) return Error{"not a file path: " + path};

    UniqueFd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dirfd.valid()) return sys_error("cannot open directory", dir, errno);
    return write_in_dir(dirfd.get(), dir, base, path, bytes, mode, after);
}

Result<UniqueFd> open_dir_nofollow(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) {
        if (errno == ELOOP || errno == ENOTDIR)
            return Error{path + " is not a directory (a symlink is not followed)"};
        return sys_error("cannot open directory", path, errno);
    }
    return fd;
}

Status atomic_write_file_at(int dirfd, const std::string& shown, const std::string& rel,
                            std::string_view bytes, mode_t mode) {
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
        std::size_t slash = rel.find('/', start);
        parts.push_back(rel.substr(start, slash == std::string::npos ? slash : slash - start));
        if (!plain_component(parts.back())) return Error{"not a relative file path: " + rel};
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    UniqueFd owned;
    int at = dirfd;
    std::string dir = shown;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        dir += "/" + parts[i];
        if (::mkdirat(at, parts[i].c_str(), 0700) == 0) {
            UniqueFd made(
                ::openat(at, parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!made.valid() || ::fchmod(made.get(), 0755) != 0)
                return sys_error("cannot set up directory", dir, errno);
            owned = std::move(made);
        } else if (errno == EEXIST) {
            UniqueFd next(
                ::openat(at, parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!next.valid()) {
                if (errno == ELOOP || errno == ENOTDIR)
                    return Error{dir + " is not a directory (a symlink is not followed)"};
                return sys_error("cannot open directory", dir, errno);
            }
            owned = std::move(next);
        } else {
            return sys_error("cannot create directory", dir, errno);
        }
        at = owned.get();
    }
    return write_in_dir(at, dir, parts.back(), shown + "/" + rel, bytes, mode);
}

Result<std::optional<std::string>> read_file_if_exists(const std::string& path, Links links) {
    const int nofollow = links == Links::refuse ? O_NOFOLLOW : 0;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | nofollow));
    if (!fd.valid()) {
        if (errno == ENOENT) return std::optional<std::string>();
        return sys_error("cannot open", path, errno);
    }
    // Read straight into a buffer of the file's size (peers.tsv runs to
    // megabytes): no chunk copies, no regrowth. Reading to EOF still copes
    // with a file that changed size meanwhile.
    struct stat st {};
    std::string out;
    if (::fstat(fd.get(), &st) == 0 && st.st_size > 0)
        out.resize(static_cast<std::size_t>(st.st_size) + 1);
    std::size_t used = 0;
    for (;;) {
        if (out.size() - used < 4096) out.resize(out.size() + 65536);
        ssize_t n = ::read(fd.get(), out.data() + used, out.size() - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            return sys_error("cannot read", path, errno);
        }
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
    }
    out.resize(used);
    return std::optional<std::string>(std::move(out));
}

Status ensure_private_dir(const std::string& dir) {
    if (dir.empty()) return Error{"empty directory path"};
    // Walk the path from the root so missing parents are created too.
    for (std::size_t pos = 1;; ++pos) {
        pos = dir.find('/', pos);
        const std::string prefix = dir.substr(0, pos);
        const bool last = pos == std::string::npos;
        if (!prefix.empty() && prefix != "/") {
            if (::mkdir(prefix.c_str(), 0700) == 0) {
                if (::chmod(prefix.c_str(), 0700) != 0)
                    return sys_error("cannot chmod", prefix, errno);
            } else if (errno == EEXIST) {
                struct stat st {};
                if (::stat(prefix.c_str(), &st) != 0)
                    return sys_error("cannot stat", prefix, errno);
                if (!S_ISDIR(st.st_mode)) return Error{prefix + " exists and is not a directory"};
            } else {
                return sys_error("cannot create directory", prefix, errno);
            }
        }
        if (last) return ok_status();
    }
}

}  // namespace vpngw::store
