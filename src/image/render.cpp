#include "image/render.hpp"

#include "escape/escape.hpp"

namespace vpngw::image {

namespace {

bool is_name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool preformatted(std::string_view name) {
    return name.ends_with("_WORDS") || name.ends_with("_YAML");
}

std::optional<std::string> escaped(std::string_view name, const std::string& value, Format f) {
    if (preformatted(name)) return value;
    return f == Format::shell ? escape::shell_word(value) : escape::plain_line(value);
}

}  // namespace

Result<std::string> render(std::string_view text, const Vars& vars, std::string_view what,
                           Format format) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t at = text.find('@', i);
        if (at == std::string_view::npos) break;
        std::size_t end = at + 1;
        while (end < text.size() && is_name_char(text[end])) ++end;
        if (end == at + 1 || end >= text.size() || text[end] != '@') {
            out.append(text.substr(i, at + 1 - i));  // a lone '@': keep it
            i = at + 1;
            continue;
        }
        std::string_view name = text.substr(at + 1, end - at - 1);
        auto value = vars.find(name);
        if (value == vars.end())
            return Error{std::string(what) + ": no value for @" + std::string(name) + "@", {}};
        auto safe = escaped(name, value->second, format);
        if (!safe)
            return Error{std::string(what) + ": the value of @" + std::string(name) +
                             "@ cannot be written there: " + escape::visible(value->second),
                         {}};
        out.append(text.substr(i, at - i));
        out.append(*safe);
        i = end + 1;
    }
    out.append(text.substr(i));
    return out;
}

}  // namespace vpngw::image
