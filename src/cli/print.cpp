#include "cli/print.hpp"

#include <cstdio>

#include "escape/escape.hpp"

namespace vpngw::cli {

namespace {

// The last guard before a terminal: whatever a message quotes (a path, a
// name from a wg-quick file), controls and bidi/zero-width characters are
// shown as escapes; the message's own line breaks stay.
std::string shown(const std::string& text) {
    std::string out;
    std::size_t start = 0;
    for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
        out += escape::visible(std::string_view(text).substr(start, nl - start)) + "\n";
    return out + escape::visible(std::string_view(text).substr(start));
}

}  // namespace

void print_diagnostics(const Diagnostics& diagnostics) {
    for (const auto& d : diagnostics.all()) std::fprintf(stderr, "%s\n", shown(d.str()).c_str());
}

void print_error(const Error& error) {
    std::fprintf(stderr, "%s\n", shown(error.str()).c_str());
}

}  // namespace vpngw::cli
