#include "exec/nft_shortcut.hpp"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "nft/observe.hpp"
#include "store/atomic_file.hpp"
#include "util/record_fields.hpp"

namespace vpngw::exec {

namespace {

constexpr std::string_view kMagic = "vpngw-nft-shortcut 1";
constexpr std::size_t kMaxRecord = 1024;  // a real record is ~190 bytes

bool is_lower_hex(std::string_view s) {
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

bool is_boot_id(std::string_view s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !is_lower_hex(s.substr(i, 1))) return false;
    }
    return true;
}

// Unsigned fields: a '-' is refused before from_chars would wrap it.
template <typename T>
std::optional<T> parse_unsigned(std::string_view s) {
    if (!s.empty() && s[0] == '-') return std::nullopt;
    return parse_record_number<T>(s);
}

std::optional<std::string> read_boot_id() {
    auto text = store::read_file_if_exists("/proc/sys/kernel/random/boot_id", store::Links::follow);
    if (!text || !*text) return std::nullopt;
    std::string id = **text;
    while (!id.empty() && id.back() == '\n') id.pop_back();
    if (!is_boot_id(id)) return std::nullopt;
    return id;
}

}  // namespace

std::string encode_nft_shortcut(const NftShortcut& s) {
    std::string out(kMagic);
    out += "\nboot " + s.boot_id;
    out += "\nnetns " + std::to_string(s.netns);
    out += "\ngenid " + std::to_string(s.genid);
    out += "\ndesired " + s.desired + "\n";
    return out;
}

std::optional<NftShortcut> decode_nft_shortcut(std::string_view text) {
    if (text.size() > kMaxRecord) return std::nullopt;
    auto nl = text.find('\n');
    if (nl == std::string_view::npos || text.substr(0, nl) != kMagic) return std::nullopt;
    text.remove_prefix(nl + 1);
    NftShortcut s;
    auto boot = next_record_field(text, "boot");
    if (!boot || !is_boot_id(*boot)) return std::nullopt;
    s.boot_id = *boot;
    auto netns = next_record_field(text, "netns");
    auto netns_value = netns ? parse_unsigned<std::uint64_t>(*netns) : std::nullopt;
    if (!netns_value || *netns_value == 0) return std::nullopt;
    s.netns = *netns_value;
    auto genid = next_record_field(text, "genid");
    auto genid_value = genid ? parse_unsigned<std::uint32_t>(*genid) : std::nullopt;
    if (!genid_value) return std::nullopt;
    s.genid = *genid_value;
    auto desired = next_record_field(text, "desired");
    if (!desired || desired->size() != crypto_generichash_BYTES * 2 || !is_lower_hex(*desired))
        return std::nullopt;
    s.desired = *desired;
    if (!text.empty()) return std::nullopt;
    return s;
}

std::string nft_desired_digest(const ops::Desired& desired) {
    crypto_generichash_state st;
    crypto_generichash_init(&st, nullptr, 0, crypto_generichash_BYTES);
    auto feed = [&](const void* p, std::size_t n) {
        crypto_generichash_update(&st, static_cast<const unsigned char*>(p), n);
    };
    const std::uint64_t hash_len = desired.nft_hash.size();
    feed(&hash_len, sizeof hash_len);
    feed(desired.nft_hash.data(), desired.nft_hash.size());
    // Length-prefixed fields: no two different plans feed the same bytes.
    for (const auto& e : desired.nft_elements) {
        const std::uint8_t map_len = static_cast<std::uint8_t>(e.map.size());
        feed(&map_len, 1);
        feed(e.map.data(), e.map.size());
        const std::uint8_t family = e.key.is_v4() ? 4 : 6;
        feed(&family, 1);
        feed(e.key.bytes.data(), static_cast<std::size_t>(e.key.byte_len()));
    }
    unsigned char digest[crypto_generichash_BYTES];
    crypto_generichash_final(&st, digest, sizeof digest);
    char hex[sizeof digest * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

Result<NftShortcut> current_nft_shortcut(std::string desired_digest) {
    NftShortcut s;
    auto boot = read_boot_id();
    if (!boot) return Error{"reading /proc/sys/kernel/random/boot_id"};
    s.boot_id = std::move(*boot);
    struct stat ns {};
    if (::stat("/proc/self/ns/net", &ns) != 0) return Error{"reading /proc/self/ns/net"};
    s.netns = static_cast<std::uint64_t>(ns.st_ino);
    auto genid = nft::generation();
    if (!genid) return genid.error();
    s.genid = *genid;
    s.desired = std::move(desired_digest);
    return s;
}

std::optional<NftShortcut> read_nft_shortcut(const std::string& file) {
    if (file.empty()) return std::nullopt;
    auto text = store::read_file_if_exists(file);
    if (!text || !*text) return std::nullopt;
    return decode_nft_shortcut(**text);
}

Status write_nft_shortcut(const std::string& file, const NftShortcut& s) {
    if (file.empty()) return ok_status();
    return store::atomic_write_file(file, encode_nft_shortcut(s), 0600);
}

void forget_nft_shortcut(const std::string& file) {
    if (!file.empty()) ::unlink(file.c_str());
}

}  // namespace vpngw::exec
