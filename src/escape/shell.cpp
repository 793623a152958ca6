#include <cstdio>

#include "escape/escape.hpp"

namespace vpngw::escape {

namespace {

bool alnum(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// Characters no shell treats specially anywhere in a word (not even '~' at
// the start or '=' before a command, which these words never are).
bool shell_plain(char c) {
    return alnum(c) || c == '_' || c == '.' || c == '/' || c == '+' || c == '@' || c == '=' ||
           c == ':' || c == ',' || c == '-';
}

}  // namespace

std::optional<std::string> shell_word(std::string_view value) {
    if (value.find('\0') != std::string_view::npos) return std::nullopt;
    bool plain = !value.empty();
    for (char c : value) plain = plain && shell_plain(c);
    if (plain) return std::string(value);
    // Inside single quotes every byte is literal except the closing quote.
    std::string out = "'";
    for (char c : value) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::optional<std::string> bash_hex_word(std::string_view value) {
    if (value.find('\0') != std::string_view::npos) return std::nullopt;
    const auto plain = [](char c) {
        return alnum(c) || c == '/' || c == '.' || c == '_' || c == '+' || c == '@' || c == '=' ||
               c == '-';
    };
    bool all_plain = !value.empty();
    for (char c : value) all_plain = all_plain && plain(c);
    if (all_plain) return std::string(value);
    std::string out = "$'";
    for (char c : value) {
        if (plain(c)) {
            out += c;
        } else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(c));
            out += hex;
        }
    }
    return out + "'";
}

}  // namespace vpngw::escape
