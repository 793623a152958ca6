#include "cli/print.hpp"

#include <cstdio>

#include "cli/exit_codes.hpp"
#include "escape/escape.hpp"
#include "store/atomic_file.hpp"

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

int print_or_write(std::string_view text, const std::string& path, mode_t mode) {
    if (path.empty()) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return kExitOk;
    }
    if (auto st = store::atomic_write_file(path, text, mode); !st) {
        print_error(st.error());
        return kExitFailure;
    }
    return kExitOk;
}

void append_left(std::string& out, std::string_view text, std::size_t width) {
    out += text;
    out.append(text.size() < width ? width - text.size() + 1 : 1, ' ');
}

void append_right(std::string& out, std::string_view text, std::size_t width) {
    if (text.size() < width) out.append(width - text.size(), ' ');
    out += text;
    out += ' ';
}

}  // namespace vpngw::cli
