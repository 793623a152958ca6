#include "image/render.hpp"

namespace vpngw::image {

static bool is_name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

Result<std::string> render(std::string_view text, const Vars& vars, std::string_view what) {
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
        out.append(text.substr(i, at - i));
        out.append(value->second);
        i = end + 1;
    }
    out.append(text.substr(i));
    return out;
}

}  // namespace vpngw::image
