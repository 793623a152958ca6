#include "escape/escape.hpp"

namespace vpngw::escape {

namespace {

bool alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

bool dns_label(std::string_view label) {
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
        if (!alnum(c) && c != '-') return false;
    return true;
}

std::string dns_name_reason(std::string_view name) {
    if (name.empty()) return "it is empty";
    if (name.size() > 253) return "it is longer than 253 characters";
    std::size_t start = 0;
    while (true) {
        const auto dot = name.find('.', start);
        const auto label =
            name.substr(start, dot == std::string_view::npos ? name.npos : dot - start);
        if (!dns_label(label))
            return "label \"" + std::string(label.substr(0, 63)) +
                   "\" is not 1-63 of A-Z a-z 0-9 '-' (not starting or ending with '-')";
        if (dot == std::string_view::npos) return "";
        start = dot + 1;
    }
}

}  // namespace vpngw::escape
