#pragma once

// A field of a state file, quoted for an error message and cut short: a
// corrupt or hostile peers.tsv can hold a name of a megabyte, and the message
// must stay a line. Cut at a character boundary, with the field's size.

#include <cstddef>
#include <string>
#include <string_view>

namespace vpngw::store {

inline constexpr std::size_t kExcerptBytes = 40;

// "\"value\"" when short; "\"first 40 bytes\"... (N bytes)" when not.
inline std::string quoted_excerpt(std::string_view field) {
    if (field.size() <= kExcerptBytes) return "\"" + std::string(field) + "\"";
    std::size_t cut = kExcerptBytes;
    // Not inside a UTF-8 sequence: back up over continuation bytes.
    while (cut > 0 && (static_cast<unsigned char>(field[cut]) & 0xC0) == 0x80) --cut;
    return "\"" + std::string(field.substr(0, cut)) + "\"... (" + std::to_string(field.size()) +
           " bytes)";
}

}  // namespace vpngw::store
