#include <sodium.h>

#include <cstdio>

#include "escape/escape.hpp"
#include "escape/utf8.hpp"

namespace vpngw::escape {

std::optional<std::string> yaml_double_quoted(std::string_view value) {
    std::string out = "\"";
    for (std::size_t i = 0; i < value.size();) {
        const auto cp = detail::decode(value, i);
        if (!cp.valid) return std::nullopt;
        i += cp.length;
        const char32_t c = cp.value;
        char buf[16];
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else if (c < 0x100) {
            // \xHH is the code point U+00HH in YAML, not a byte.
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
            out += buf;
        } else if (c < 0x10000) {
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            out += buf;
        } else {
            std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(c));
            out += buf;
        }
    }
    return out + "\"";
}

std::string base64(std::string_view bytes) {
    const std::size_t size =
        sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
    std::string out(size, '\0');
    sodium_bin2base64(out.data(), size, reinterpret_cast<const unsigned char*>(bytes.data()),
                      bytes.size(), sodium_base64_VARIANT_ORIGINAL);
    out.resize(size - 1);  // the terminating NUL
    return out;
}

}  // namespace vpngw::escape
