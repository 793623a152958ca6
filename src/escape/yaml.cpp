#include <sodium.h>

#include <cstdio>

#include "escape/escape.hpp"
#include "escape/utf8.hpp"

namespace vpngw::escape {

std::optional<std::string> yaml_double_quoted(std::string_view value) {
    std::string out = "\"";
    const bool valid = detail::each_code_point(value, [&](char32_t c, std::string_view) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else if (c < 0x100) {
            // \xHH is the code point U+00HH in YAML, not a byte.
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
            out += buf;
        } else {
            detail::append_u_escape(out, c);
        }
    });
    if (!valid) return std::nullopt;
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
