#include "profile/quote.hpp"

#include "escape/escape.hpp"

namespace vpngw::profile {

std::string quoted(std::string_view text) {
    constexpr std::size_t kMax = 80;
    std::size_t keep = text.size();
    if (keep > kMax) {
        keep = kMax;
        // Not in the middle of a UTF-8 sequence.
        while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xc0) == 0x80) --keep;
    }
    std::string body;
    for (char c : text.substr(0, keep)) {
        if (c == '"' || c == '\\') body += '\\';
        body += c;
    }
    return "\"" + escape::visible(body) + (text.size() > keep ? "..." : "") + "\"";
}

std::string escape_controls(std::string_view text) {
    return escape::visible(text);
}

}  // namespace vpngw::profile
