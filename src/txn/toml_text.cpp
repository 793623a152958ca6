#include "txn/toml_text.hpp"

namespace vpngw::txn {

Location toml_location(const std::string& file, const toml::source_region& where) {
    return {file, static_cast<int>(where.begin.line), static_cast<int>(where.begin.column)};
}

Result<toml::table> parse_toml(const std::string& text, const std::string& file) {
#if TOML_EXCEPTIONS
    try {
        return toml::parse(text, file);
    } catch (const toml::parse_error& e) {
        return Error{std::string(e.description()), toml_location(file, e.source())};
    }
#else
    auto r = toml::parse(text, file);
    if (!r)
        return Error{std::string(r.error().description()), toml_location(file, r.error().source())};
    return std::move(r.table());
#endif
}

}  // namespace vpngw::txn
