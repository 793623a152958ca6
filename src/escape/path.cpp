#include "escape/escape.hpp"

namespace vpngw::escape {

const char* const kSafePathRule =
    "use only A-Z a-z 0-9 . _ - + @ between single '/', with no \".\" or \"..\" component "
    "and no trailing '/'";

namespace {

bool path_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '+' || c == '@';
}

}  // namespace

std::string unsafe_path_reason(std::string_view path) {
    if (path.empty()) return "it is empty";
    if (path.size() > 4095) return "it is longer than 4095 bytes";
    for (char c : path)
        if (c != '/' && !path_char(c)) return "it contains a character outside the safe set";
    if (path == "/") return "";
    std::size_t start = path.front() == '/' ? 1 : 0;
    for (;;) {
        std::size_t slash = path.find('/', start);
        std::string_view part = path.substr(
            start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (part.empty())
            return slash == std::string_view::npos ? "it ends in '/'" : "it contains \"//\"";
        if (part == "." || part == "..") return "it has a \".\" or \"..\" component";
        if (slash == std::string_view::npos) return "";
        start = slash + 1;
    }
}

bool safe_path(std::string_view path) {
    return unsafe_path_reason(path).empty();
}

std::optional<std::string> systemd_path(std::string_view value) {
    if (value.empty() || value.front() != '/' || !safe_path(value)) return std::nullopt;
    return std::string(value);
}

}  // namespace vpngw::escape
