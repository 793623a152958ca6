#include "profile/quote.hpp"

#include <cstdio>

namespace vpngw::profile {

static void append_escaped(std::string& out, unsigned char c, bool escape_quotes) {
    if (escape_quotes && (c == '"' || c == '\\')) {
        out += '\\';
        out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
    } else {
        out += static_cast<char>(c);
    }
}

std::string quoted(std::string_view text) {
    constexpr std::size_t kMax = 80;
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size() && i < kMax; ++i)
        append_escaped(out, static_cast<unsigned char>(text[i]), true);
    if (text.size() > kMax) out += "...";
    return out + "\"";
}

std::string escape_controls(std::string_view text) {
    std::string out;
    for (char c : text) append_escaped(out, static_cast<unsigned char>(c), false);
    return out;
}

}  // namespace vpngw::profile
