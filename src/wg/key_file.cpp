#include "wg/key_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace vpngw::wg {

namespace {

// Wipes the read buffer whatever path the function leaves by.
struct WipedBuffer {
    std::array<char, 512> bytes{};
    ~WipedBuffer() { sodium_memzero(bytes.data(), bytes.size()); }
};

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

Result<SecretKey> read_key_file(const std::string& path) {
    // Never through a symlink: keys vpngw generates live in its state
    // directory, where a planted link must not make it load another file.
    // Key files a profile names are resolved by the loader, so a link the
    // administrator made still works (profile/key_file_check.hpp).
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return Error{"cannot read key file " + path + ": " + std::strerror(errno)};
    WipedBuffer buf;
    std::size_t len = 0;
    while (len < buf.bytes.size()) {
        ssize_t n = ::read(fd, buf.bytes.data() + len, buf.bytes.size() - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            ::close(fd);
            return Error{"cannot read key file " + path + ": " + std::strerror(e)};
        }
        if (n == 0) break;
        len += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (len == buf.bytes.size()) return Error{"key file " + path + " is too large to hold a key"};

    std::string_view text(buf.bytes.data(), len);
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    auto key = SecretKey::from_base64(text);
    if (!key)
        return Error{"key file " + path +
                     " does not hold a WireGuard key (44 characters of base64)"};
    return *key;
}

}  // namespace vpngw::wg
