// keepalived.conf and conntrackd.conf words (escape.hpp). Neither format has
// an escape: keepalived splits lines on blanks and starts comments at '#' or
// '!'; conntrackd's scanner knows fixed token shapes. So a value is carried
// only when it is already one plain word of that shape.

#include <algorithm>

#include "escape/escape.hpp"

namespace vpngw::escape {
namespace {

bool alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::optional<std::string> keepalived_word(std::string_view value) {
    if (value.empty() || value.size() > 255) return std::nullopt;
    const bool plain = std::all_of(value.begin(), value.end(), [](char c) {
        return alnum(c) || c == '_' || c == '.' || c == ':' || c == '/' || c == '@' || c == '+' ||
               c == '=' || c == '-';
    });
    if (!plain) return std::nullopt;
    return std::string(value);
}

std::optional<std::string> conntrackd_word(std::string_view value) {
    if (value.empty() || value.size() > 255) return std::nullopt;
    if (!(alnum(value.front()) || value.front() == '/')) return std::nullopt;
    const bool plain = std::all_of(value.begin(), value.end(), [](char c) {
        return alnum(c) || c == '_' || c == '.' || c == '/' || c == '-';
    });
    if (!plain) return std::nullopt;
    return std::string(value);
}

}  // namespace vpngw::escape
