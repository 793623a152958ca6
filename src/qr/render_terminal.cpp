#include "qr/qr.hpp"

namespace vpngw::qr {

namespace {

// Black ink (30) on bright white (107): the code stays dark-on-light whatever
// the terminal theme, which is what phone scanners expect.
constexpr std::string_view kAnsiStart = "\x1b[30;107m";
constexpr std::string_view kAnsiReset = "\x1b[0m";

std::string_view half_block(bool top_dark, bool bottom_dark) {
    if (top_dark && bottom_dark) return "\u2588";  // █
    if (top_dark) return "\u2580";                 // ▀
    if (bottom_dark) return "\u2584";              // ▄
    return " ";
}

}  // namespace

SecretText render_terminal(const QrMatrix& m, TerminalStyle style) {
    SecretText out;
    const int first = -kQuietZone;
    const int last = m.size() + kQuietZone;  // exclusive
    for (int y = first; y < last; y += 2) {
        if (style == TerminalStyle::ansi) out.append(kAnsiStart);
        for (int x = first; x < last; ++x)
            out.append(half_block(m.dark_padded(x, y), m.dark_padded(x, y + 1)));
        if (style == TerminalStyle::ansi) out.append(kAnsiReset);
        out.append('\n');
    }
    return out;
}

}  // namespace vpngw::qr
