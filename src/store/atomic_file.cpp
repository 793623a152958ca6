#include "store/atomic_file.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

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

}  // namespace

Status atomic_write_file(const std::string& path, std::string_view bytes, mode_t mode) {
    const std::string dir = parent_of(path);
    const std::string base = base_of(path);
    if (base.empty() || base == "." || base == "..") return Error{"not a file path: " + path};

    UniqueFd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dirfd.valid()) return sys_error("cannot open directory", dir, errno);

    std::string tmp;
    UniqueFd fd;
    for (int attempt = 0; attempt < 16 && !fd.valid(); ++attempt) {
        tmp = "." + base + ".tmp." + std::to_string(getpid()) + "." + random_suffix();
        fd = UniqueFd(::openat(dirfd.get(), tmp.c_str(),
                               O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!fd.valid() && errno != EEXIST)
            return sys_error("cannot create", dir + "/" + tmp, errno);
    }
    if (!fd.valid()) return Error{"cannot create a unique temporary file in " + dir};

    auto fail = [&](Error e) -> Status {
        fd.reset();
        ::unlinkat(dirfd.get(), tmp.c_str(), 0);
        return e;
    };
    // The creation mode was filtered by the umask; set the one asked for.
    if (::fchmod(fd.get(), mode) != 0) return fail(sys_error("cannot chmod", path, errno));
    if (auto s = write_all(fd.get(), bytes, path); !s) return fail(s.error());
    if (::fsync(fd.get()) != 0) return fail(sys_error("cannot fsync", path, errno));
    if (fd.close_now() != 0) return fail(sys_error("cannot close", path, errno));
    if (::renameat(dirfd.get(), tmp.c_str(), dirfd.get(), base.c_str()) != 0)
        return fail(sys_error("cannot rename into place", path, errno));
    // Without this the rename itself may not survive a power loss.
    if (::fsync(dirfd.get()) != 0) return sys_error("cannot fsync directory", dir, errno);
    return ok_status();
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
