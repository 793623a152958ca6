#include "util/toml_guard.hpp"

namespace vpngw {

namespace {

class Scanner {
  public:
    explicit Scanner(std::string_view text) : text_(text) {}

    std::optional<TomlHazard> run() {
        while (!done()) {
            const char c = peek();
            if (c == '#') {
                skip_comment();
            } else if ((c == '"' || c == '\'') && string_may_start()) {
                if (auto h = string(c)) return h;
                last_ = c;
            } else if (static_cast<unsigned char>(c) >= 0x80) {
                return hazard("non-ASCII character outside a string or comment");
            } else {
                if (c != ' ' && c != '\t') last_ = c;
                advance();
            }
        }
        return std::nullopt;
    }

  private:
    // Where TOML can open a string: a key at a line's start or after a dot,
    // a value after '=', in an array or an inline table. Elsewhere a quote is
    // part of a bad token that toml++ reads on (whitespace test included)
    // before it reports it, so non-ASCII bytes there are hazards too.
    bool string_may_start() const {
        return last_ == '\n' || last_ == '=' || last_ == '[' || last_ == ',' || last_ == '{' ||
               last_ == '.';
    }

    bool done() const { return pos_ >= text_.size(); }
    char peek(std::size_t ahead = 0) const {
        return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
    }
    bool at(std::string_view s) const { return text_.substr(pos_, s.size()) == s; }
    void advance() {
        if (text_[pos_] == '\n') {
            ++line_;
            line_start_ = pos_ + 1;
        }
        ++pos_;
    }
    TomlHazard hazard(std::string message) const {
        return {line_, static_cast<int>(pos_ - line_start_) + 1, std::move(message)};
    }

    void skip_comment() {
        while (!done() && peek() != '\n') advance();
    }

    // From the opening quote to past the closing one (or to where toml++
    // will report the string unterminated: a newline in a one-line string).
    std::optional<TomlHazard> string(char quote) {
        const std::string triple(3, quote);
        const bool multi = at(triple);
        const bool basic = quote == '"';
        for (std::size_t i = 0; i < (multi ? 3u : 1u); ++i) advance();
        while (!done()) {
            if (multi && at(triple)) {
                for (int i = 0; i < 3; ++i) advance();
                // Up to two more quotes belong to the content ("""a"""" ends in a quote).
                for (int i = 0; i < 2 && peek() == quote; ++i) advance();
                return std::nullopt;
            }
            const char c = peek();
            if (!multi && c == quote) {
                advance();
                return std::nullopt;
            }
            if (!multi && c == '\n') return std::nullopt;
            if (basic && c == '\\') {
                advance();
                if (multi && line_ending_backslash()) {
                    while (!done() &&
                           (peek() == ' ' || peek() == '\t' || peek() == '\r' || peek() == '\n'))
                        advance();
                    if (static_cast<unsigned char>(peek()) >= 0x80)
                        return hazard(
                            "non-ASCII character right after a line-ending backslash "
                            "(put it on the backslash's line, or use an escape like \\u00e9)");
                    continue;
                }
                if (!done()) advance();  // the escaped character
                continue;
            }
            advance();
        }
        return std::nullopt;
    }

    // After a backslash: only spaces and tabs up to a line end.
    bool line_ending_backslash() const {
        std::size_t i = 0;
        while (peek(i) == ' ' || peek(i) == '\t') ++i;
        return peek(i) == '\n' || (peek(i) == '\r' && peek(i + 1) == '\n');
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t line_start_ = 0;
    int line_ = 1;
    char last_ = '\n';  // the last character outside strings, spaces and tabs aside
};

}  // namespace

std::optional<TomlHazard> find_toml_hazard(std::string_view text) {
    return Scanner(text).run();
}

}  // namespace vpngw
