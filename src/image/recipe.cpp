#include "image/recipe.hpp"

#include <filesystem>

#include "image/files.hpp"
#include "image/render.hpp"
#include "image/templates.hpp"
#include "image/variables.hpp"

namespace vpngw::image {

namespace {

constexpr std::string_view kRecipe = "image/recipe/";

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// systemd/ files land where Debian's packages put theirs.
const char* systemd_destination(std::string_view path) {
    if (path == "systemd/vpngw@.service") return "rootfs/usr/lib/systemd/system/vpngw@.service";
    if (path == "systemd/vpngw.sysctl.conf") return "rootfs/usr/lib/sysctl.d/60-vpngw.conf";
    if (path == "systemd/vpngw.tmpfiles.conf") return "rootfs/usr/lib/tmpfiles.d/vpngw.conf";
    return nullptr;
}

class Writer {
  public:
    Writer(std::string dir, RecipeReport& report) : dir_(std::move(dir)), report_(report) {}
    Status put(const std::string& rel, std::string_view bytes, mode_t mode) {
        auto s = write_file(dir_ + "/" + rel, bytes, mode);
        if (s) report_.files.push_back(rel);
        return s;
    }

  private:
    std::string dir_;
    RecipeReport& report_;
};

// Templates: image/recipe/X -> X (X.in rendered to X); systemd/ -> rootfs/.
Status write_templates(Writer& w, const Vars& vars) {
    for (const auto& t : templates()) {
        std::string rel;
        if (t.path.substr(0, kRecipe.size()) == kRecipe)
            rel = std::string(t.path.substr(kRecipe.size()));
        else if (const char* dest = systemd_destination(t.path))
            rel = dest;
        else
            continue;  // cloud-init templates are not part of the recipe
        std::string text(t.text);
        if (ends_with(rel, ".in")) {
            rel.resize(rel.size() - 3);
            auto rendered = render(t.text, vars, t.path);
            if (!rendered) return rendered.error();
            text = std::move(*rendered);
        }
        mode_t mode = ends_with(rel, ".sh") ? 0755 : 0644;
        if (auto s = w.put(rel, text, mode); !s) return s;
    }
    return ok_status();
}

// A state directory other than the unit's StateDirectory= must exist and be
// writable under ProtectSystem=strict.
Status write_state_dir_dropin(Writer& w, const Vars& vars) {
    const auto& dir = vars.at("STATE_DIR");
    if (dir == "/var/lib/vpngw") return ok_status();
    const auto& name = vars.at("PROFILE_NAME");
    auto s = w.put("rootfs/etc/systemd/system/vpngw@" + name + ".service.d/state-dir.conf",
                   "# The profile's state_dir, writable despite ProtectSystem=strict.\n"
                   "[Service]\nReadWritePaths=" +
                       dir + "\n",
                   0644);
    if (!s) return s;
    return w.put("rootfs/etc/tmpfiles.d/vpngw-state.conf", "d " + dir + " 0700 root root -\n",
                 0644);
}

}  // namespace

Result<RecipeReport> write_recipe(const model::Profile& profile, const Settings& settings) {
    RecipeReport report;
    auto vars = profile_variables(profile, settings, report.warnings);
    if (!vars) return vars.error();
    auto profile_text = read_file(settings.profile_path);
    if (!profile_text) return profile_text.error();
    auto binary = read_file(settings.binary_path);
    if (!binary) return binary.error();

    std::error_code ec;
    std::filesystem::create_directories(settings.output_dir, ec);
    if (ec) return Error{"creating " + settings.output_dir + ": " + ec.message(), {}};
    auto dir = std::filesystem::absolute(settings.output_dir).lexically_normal().string();
    if (!dir.empty() && dir.back() == '/') dir.pop_back();
    Writer w(dir, report);

    if (auto s = write_templates(w, *vars); !s) return s.error();
    if (auto s = write_state_dir_dropin(w, *vars); !s) return s.error();
    const auto& name = vars->at("PROFILE_NAME");
    if (auto s = w.put("rootfs/etc/vpngw/" + name + ".toml", *profile_text, 0600); !s)
        return s.error();
    if (!settings.authorized_keys.empty()) {
        auto keys = read_file(settings.authorized_keys);
        if (!keys) return keys.error();
        if (auto s = w.put("rootfs/root/.ssh/authorized_keys", *keys, 0600); !s) return s.error();
    }
    if (auto s = w.put("vpngw", *binary, 0755); !s) return s.error();
    report.build_script = dir + "/build.sh";
    return report;
}

}  // namespace vpngw::image
