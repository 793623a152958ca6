#include "profile/loader.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "profile/load_text.hpp"
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

LoadResult load_text(std::string_view text, const std::string& source, const std::string& base_dir,
                     toml::table* keep_root) noexcept {
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
        if (keep_root) *keep_root = std::move(root);
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
    return load_text(text, source, "", nullptr);
}

std::optional<std::string> read_profile_text(const std::string& path, LoadResult& failed) {
    try {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            const int err = errno;
            failed.diagnostics.error({path, 0, 0},
                                     std::string("cannot read profile: ") + std::strerror(err));
            return std::nullopt;
        }
        std::ostringstream buffer;
        buffer << in.rdbuf();
        return std::move(buffer).str();
    } catch (const std::exception& e) {
        failed.diagnostics.error({path, 0, 0}, std::string("cannot read profile: ") + e.what());
        return std::nullopt;
    }
}

std::string profile_base_dir(const std::string& path) {
    // Relative key-file paths in the profile are relative to its directory.
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash + (slash == 0));
}

LoadResult load_file(const std::string& path) {
    LoadResult failed;
    auto text = read_profile_text(path, failed);
    if (!text) return failed;
    return load_text(*text, path, profile_base_dir(path), nullptr);
}

}  // namespace vpngw::profile
