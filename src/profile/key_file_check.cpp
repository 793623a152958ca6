#include "profile/key_file_check.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <climits>
#include <cstdlib>

#include "escape/escape.hpp"
#include "profile/quote.hpp"
#include "util/key.hpp"

namespace vpngw::profile {

std::string resolve_key_path(const Context& ctx, const std::string& path) {
    std::string full = path;
    if (!path.empty() && path.front() != '/' && !ctx.base_dir.empty())
        full = ctx.base_dir + "/" + path;
    // wg/key_file.hpp opens key files without following a last-component
    // link; one the administrator made is followed here, once, so it works.
    struct stat st {};
    if (!full.empty() && ::lstat(full.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
        char real[PATH_MAX];
        if (::realpath(full.c_str(), real)) return real;
    }
    return full;
}

namespace {

enum class KeyFileState { absent, usable, empty, not_regular };

// Closes the descriptor however the inspection ends.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

KeyFileState inspect(const std::string& path) {
    if (path.empty() || path.find('\0') != std::string::npos) return KeyFileState::absent;
    // O_NONBLOCK: a FIFO named as a key file must not hang `check`.
    // O_NOFOLLOW as wg/key_file.hpp: a link the profile named is resolved already.
    Fd f{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW)};
    if (f.fd < 0) {
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
            return KeyFileState::not_regular;
        return KeyFileState::absent;  // missing or not readable by us
    }
    struct stat st {};
    if (::fstat(f.fd, &st) != 0) return KeyFileState::absent;
    if (!S_ISREG(st.st_mode)) return KeyFileState::not_regular;
    if (st.st_size == 0) return KeyFileState::empty;

    // A key is 44 characters; a few KiB is plenty to find a non-space byte.
    std::string buffer(4096, '\0');
    const ssize_t n = ::read(f.fd, buffer.data(), buffer.size());
    KeyFileState state = KeyFileState::empty;
    if (n < 0) state = KeyFileState::absent;
    for (ssize_t i = 0; i < n; ++i)
        if (!std::isspace(static_cast<unsigned char>(buffer[static_cast<std::size_t>(i)]))) {
            state = KeyFileState::usable;
            break;
        }
    wipe(buffer);
    return state;
}

}  // namespace

void check_key_file(Context& ctx, const std::string& path, const std::string& written,
                    const Location& where, std::string_view what) {
    // Key file paths reach shell hooks and unit files (export, image): only
    // the documented safe characters (docs/profile.md).
    if (auto why = escape::unsafe_path_reason(written); !why.empty()) {
        ctx.error(where, std::string(what) + " " + quoted(written) + ": " + why + "; " +
                             escape::kSafePathRule);
        return;
    }
    switch (inspect(path)) {
        case KeyFileState::absent:
        case KeyFileState::usable:
            return;
        case KeyFileState::empty:
            ctx.error(where, std::string(what) + " " + quoted(written) + " is empty");
            return;
        case KeyFileState::not_regular:
            ctx.error(where, std::string(what) + " " + quoted(written) + " is not a regular file");
            return;
    }
}

}  // namespace vpngw::profile
