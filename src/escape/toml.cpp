#include <cstdio>

#include "escape/escape.hpp"
#include "escape/utf8.hpp"

namespace vpngw::escape {

std::optional<std::string> toml_string(std::string_view value) {
    std::string out = "\"";
    for (std::size_t i = 0; i < value.size();) {
        const auto cp = detail::decode(value, i);
        if (!cp.valid) return std::nullopt;
        const std::string_view raw = value.substr(i, cp.length);
        i += cp.length;
        const char32_t c = cp.value;
        char buf[16];
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (detail::is_control(c) || detail::is_invisible(c)) {
            if (c < 0x10000)
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            else
                std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(c));
            out += buf;
        } else {
            out += raw;
        }
    }
    return out + "\"";
}

}  // namespace vpngw::escape
