#include "profile/names.hpp"

#include "profile/quote.hpp"

namespace vpngw::profile {

static bool name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '=' || c == '+' || c == '-';
}

bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > 15) return false;
    if (name.front() == '-' || name.front() == '.') return false;
    for (char c : name)
        if (!name_char(c)) return false;
    return true;
}

void check_name(Context& ctx, const Text& name, std::string_view what) {
    if (valid_name(name.value)) return;
    std::string why;
    if (name.value.empty())
        why = "it is empty";
    else if (name.value.size() > 15)
        why = "it is longer than 15 characters";
    else if (name.value.front() == '-' || name.value.front() == '.')
        why = "it starts with \"" + name.value.substr(0, 1) + "\"";
    else
        why = "it contains characters other than A-Z a-z 0-9 _ . = + -";
    ctx.error(name.where, "invalid " + std::string(what) + " " + quoted(name.value) + ": " + why +
                              " (use 1-15 of A-Z a-z 0-9 _ . = + -, not starting with - or .)");
}

}  // namespace vpngw::profile
