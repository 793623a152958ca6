#pragma once

// The small line records vpngw keeps in its state directory
// (exec/nft_shortcut.hpp, gateway/noop_proof.hpp): "key value" lines in a
// fixed order. Parsing helpers that accept exactly what vpngw writes, so a
// record edited or damaged by anyone else is no record.

#include <charconv>
#include <optional>
#include <string_view>
#include <system_error>

namespace vpngw {

// The value of the line "key value\n" at the front of `text`, which is then
// advanced past it; nullopt (and `text` unchanged) when the line is not that.
inline std::optional<std::string_view> next_record_field(std::string_view& text,
                                                         std::string_view key) {
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    const std::string_view line = text.substr(0, nl);
    if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ' ')
        return std::nullopt;
    text.remove_prefix(nl + 1);
    return line.substr(key.size() + 1);
}

// A decimal number as std::to_string writes it: no sign but a '-' where T
// is signed, no spaces, no leading '+', at most 20 digits.
template <typename T>
std::optional<T> parse_record_number(std::string_view s) {
    if (s.empty() || s.size() > 20 || s[0] == '+') return std::nullopt;
    T value{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return value;
}

}  // namespace vpngw
