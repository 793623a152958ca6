#pragma once

// Strict UTF-8 decoding for the escapers (internal): one code point at a time,
// refusing overlong forms, surrogates and values above U+10FFFF.

#include <cstddef>
#include <string>
#include <string_view>

namespace vpngw::escape::detail {

struct CodePoint {
    char32_t value = 0;
    std::size_t length = 1;  // bytes used; 1 for an invalid byte
    bool valid = false;
};

CodePoint decode(std::string_view text, std::size_t at);

// C0, DEL and C1 controls.
bool is_control(char32_t c);
// Characters that break or reorder a line without being visible: U+0085,
// U+2028, U+2029, soft hyphen, zero-width and joiner characters, bidi
// embeddings, overrides and isolates, U+FEFF, interlinear annotations, tag
// characters, and the Unicode noncharacters.
bool is_invisible(char32_t c);

bool valid_utf8(std::string_view text);

// Calls f(code point, its bytes) for each code point of `text`; false (and no
// more calls) at the first invalid sequence.
template <class F>
bool each_code_point(std::string_view text, F&& f) {
    for (std::size_t i = 0; i < text.size();) {
        const auto cp = decode(text, i);
        if (!cp.valid) return false;
        f(cp.value, text.substr(i, cp.length));
        i += cp.length;
    }
    return true;
}

// "\uXXXX" or "\UXXXXXXXX", which YAML and TOML double-quoted strings share.
void append_u_escape(std::string& out, char32_t c);

}  // namespace vpngw::escape::detail
