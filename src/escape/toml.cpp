#include "escape/escape.hpp"
#include "escape/utf8.hpp"

namespace vpngw::escape {

std::optional<std::string> toml_string(std::string_view value) {
    std::string out = "\"";
    const bool valid = detail::each_code_point(value, [&](char32_t c, std::string_view raw) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (detail::is_control(c) || detail::is_invisible(c)) {
            detail::append_u_escape(out, c);
        } else {
            out += raw;
        }
    });
    if (!valid) return std::nullopt;
    return out + "\"";
}

}  // namespace vpngw::escape
