#include "fleet/psk_seal.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "util/unique_fd.hpp"

namespace vpngw::fleet {
namespace {

constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr std::size_t kSealed = kNonce + SecretKey::size() + kTag;
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kClusterSecretSize);

// Versioned so a later format cannot be mistaken for this one; NUL-separated
// so no name/key pair reads as another.
std::vector<unsigned char> associated_data(std::string_view peer, const PublicKey& key) {
    static constexpr std::string_view kDomain = "vpngw psk v1";
    std::vector<unsigned char> ad(kDomain.begin(), kDomain.end());
    ad.push_back(0);
    ad.insert(ad.end(), peer.begin(), peer.end());
    ad.push_back(0);
    ad.insert(ad.end(), key.bytes.begin(), key.bytes.end());
    return ad;
}

Status ready() {
    if (sodium_init() < 0)
        return Error{"libsodium could not be initialised (no system randomness)"};
    return ok_status();
}

std::string errno_text() {
    return std::strerror(errno);
}

// Wipes a buffer that held secret bytes when it goes out of scope.
template <std::size_t N>
struct WipedBytes {
    std::array<unsigned char, N> bytes{};
    ~WipedBytes() { sodium_memzero(bytes.data(), bytes.size()); }
};

}  // namespace

Result<SecretKey> read_cluster_secret(const std::string& path) {
    const std::string what = "cluster secret file " + path;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) return Error{what + ": " + errno_text()};
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return Error{what + ": " + errno_text()};
    if (!S_ISREG(st.st_mode)) return Error{what + " is not a regular file"};
    if ((st.st_mode & 077) != 0)
        return Error{what + " is readable or writable by group or others: chmod 0600 it"};
    if (st.st_size != static_cast<off_t>(kClusterSecretSize))
        return Error{what + " must hold exactly 32 bytes (it holds " + std::to_string(st.st_size) +
                     "); make one with `vpngw cluster secret --out " + path + "`"};
    SecretKey key;
    std::size_t got = 0;
    while (got < kClusterSecretSize) {
        const ssize_t n = ::read(fd.get(), key.data() + got, kClusterSecretSize - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return Error{what + ": short read"};
        got += static_cast<std::size_t>(n);
    }
    return key;
}

Status create_cluster_secret(const std::string& path) {
    if (auto st = ready(); !st) return st;
    if (::access(path.c_str(), F_OK) == 0)
        return Error{path +
                     " exists: a cluster secret is never overwritten (every member's "
                     "sealed preshared keys depend on it)"};
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0) return Error{"cannot create " + tmp + ": " + errno_text()};
    auto fail = [&](const std::string& why) -> Status {
        ::unlink(tmp.c_str());
        return Error{why};
    };
    // The umask may have narrowed the mode further, never widened it.
    if (::fchmod(fd.get(), 0600) != 0) return fail("cannot chmod " + tmp + ": " + errno_text());
    WipedBytes<kClusterSecretSize> secret;
    randombytes_buf(secret.bytes.data(), secret.bytes.size());
    std::size_t put = 0;
    while (put < secret.bytes.size()) {
        const ssize_t n = ::write(fd.get(), secret.bytes.data() + put, secret.bytes.size() - put);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail("cannot write " + tmp + ": " + errno_text());
        put += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) return fail("cannot sync " + tmp + ": " + errno_text());
    // link(2) fails when `path` exists: a file made meanwhile is kept.
    if (::link(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = errno == EEXIST
                                    ? path + " exists: a cluster secret is never overwritten"
                                    : "cannot create " + path + ": " + errno_text();
        return fail(why);
    }
    ::unlink(tmp.c_str());
    return ok_status();
}

Result<std::string> seal_psk(const SecretKey& secret, std::string_view peer,
                             const PublicKey& public_key, const SecretKey& psk) {
    if (auto st = ready(); !st) return st.error();
    std::array<unsigned char, kSealed> out{};
    randombytes_buf(out.data(), kNonce);
    const auto ad = associated_data(peer, public_key);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + kNonce, &written, psk.data(),
                                               SecretKey::size(), ad.data(), ad.size(), nullptr,
                                               out.data(), secret.data());
    std::string text(sodium_base64_ENCODED_LEN(kSealed, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(text.data(), text.size(), out.data(), out.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    text.resize(std::strlen(text.c_str()));
    return text;
}

Result<SecretKey> open_psk(const SecretKey& secret, std::string_view peer,
                           const PublicKey& public_key, std::string_view sealed,
                           std::string_view where) {
    if (auto st = ready(); !st) return st.error();
    const std::string what = "peer \"" + std::string(peer) + "\" (" + std::string(where) +
                             "): its sealed preshared key ";
    std::array<unsigned char, kSealed + 1> in{};
    std::size_t len = 0;
    if (sodium_base642bin(in.data(), in.size(), sealed.data(), sealed.size(), nullptr, &len,
                          nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        len != kSealed)
        return Error{what + "is not base64 of " + std::to_string(kSealed) + " bytes"};
    SecretKey psk;
    unsigned long long opened = 0;
    const auto ad = associated_data(peer, public_key);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(psk.data(), &opened, nullptr, in.data() + kNonce,
                                                   kSealed - kNonce, ad.data(), ad.size(),
                                                   in.data(), secret.data()) != 0 ||
        opened != SecretKey::size())
        return Error{what +
                     "does not open with this gateway's cluster secret (another "
                     "secret_file, a value altered or copied from another peer): "
                     "the peer is not applied"};
    return psk;
}

}  // namespace vpngw::fleet
