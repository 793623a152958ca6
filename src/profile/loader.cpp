#include "profile/loader.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "profile/quote.hpp"
#include "profile/read_profile.hpp"
#include "util/toml_guard.hpp"

namespace vpngw::profile {

// toml++ says "Error while parsing string: ..."; the diagnostic already says
// "error", so say what kind of error instead.
static std::string syntax_message(std::string_view description) {
    constexpr std::string_view prefix = "Error while parsing ";
    if (description.substr(0, prefix.size()) == prefix)
        return "TOML syntax error while parsing " +
               escape_controls(description.substr(prefix.size()));
    return "TOML syntax error: " + escape_controls(description);
}

static LoadResult load_text(std::string_view text, const std::string& source,
                            const std::string& base_dir) noexcept {
    LoadResult out;
    try {
        toml::table root;
        if (auto hazard = find_toml_hazard(text)) {
            out.diagnostics.error({source, hazard->line, hazard->column},
                                  "TOML syntax error: " + hazard->message);
            return out;
        }
        try {
            root = toml::parse(text, std::string_view(source));
        } catch (const toml::parse_error& e) {
            const auto& begin = e.source().begin;
            out.diagnostics.error(
                {source, static_cast<int>(begin.line), static_cast<int>(begin.column)},
                syntax_message(e.description()));
            return out;
        }
        Context ctx{source, base_dir, out.diagnostics};
        model::Profile profile = read_profile(ctx, root);
        out.diagnostics.sort();
        if (!out.diagnostics.has_errors()) out.profile = std::move(profile);
    } catch (const std::exception& e) {
        out.profile.reset();
        out.diagnostics.error({source, 0, 0}, std::string("internal error: ") + e.what());
    } catch (...) {
        out.profile.reset();
        out.diagnostics.error({source, 0, 0}, "internal error");
    }
    return out;
}

LoadResult load_string(std::string_view text, const std::string& source) {
    return load_text(text, source, "");
}

LoadResult load_file(const std::string& path) {
    std::string text;
    try {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            const int err = errno;
            LoadResult out;
            out.diagnostics.error({path, 0, 0},
                                  std::string("cannot read profile: ") + std::strerror(err));
            return out;
        }
        std::ostringstream buffer;
        buffer << in.rdbuf();
        text = buffer.str();
    } catch (const std::exception& e) {
        LoadResult out;
        out.diagnostics.error({path, 0, 0}, std::string("cannot read profile: ") + e.what());
        return out;
    }
    // Relative key-file paths in the profile are relative to its directory.
    const auto slash = path.rfind('/');
    const std::string base_dir =
        slash == std::string::npos ? "." : path.substr(0, slash + (slash == 0));
    return load_text(text, path, base_dir);
}

}  // namespace vpngw::profile
