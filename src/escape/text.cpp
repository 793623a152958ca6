#include <cstdio>

#include "escape/escape.hpp"
#include "escape/utf8.hpp"

namespace vpngw::escape {

std::string visible(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size();) {
        const auto cp = detail::decode(value, i);
        char buf[16];
        if (!cp.valid || cp.value < 0x20 || cp.value == 0x7f) {
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(value[i]));
            out += buf;
            i += 1;
            continue;
        }
        if (detail::is_control(cp.value) || detail::is_invisible(cp.value)) {
            std::snprintf(buf, sizeof buf, "\\u{%04x}", static_cast<unsigned>(cp.value));
            out += buf;
        } else {
            out.append(value.substr(i, cp.length));
        }
        i += cp.length;
    }
    return out;
}

std::optional<std::string> plain_line(std::string_view value) {
    for (unsigned char c : value)
        if (c < 0x20 || c > 0x7e) return std::nullopt;
    return std::string(value);
}

}  // namespace vpngw::escape
