#include "escape/escape.hpp"

namespace vpngw::escape {

std::optional<std::string> nft_string(std::string_view value) {
    for (unsigned char c : value)
        if (c < 0x20 || c > 0x7e || c == '"') return std::nullopt;
    return "\"" + std::string(value) + "\"";
}

}  // namespace vpngw::escape
