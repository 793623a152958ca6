#include "image/recipe.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "escape/escape.hpp"
#include "image/cluster.hpp"
#include "image/files.hpp"
#include "image/render.hpp"
#include "image/state_dir.hpp"
#include "image/templates.hpp"
#include "image/variables.hpp"
#include "store/atomic_file.hpp"

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

// Every file goes through the atomic writer below the output directory's
// descriptor: no symlink in DIR is followed, modes are exact.
class Writer {
  public:
    Writer(UniqueFd dir, std::string shown, RecipeReport& report)
        : dir_(std::move(dir)), shown_(std::move(shown)), report_(report) {}
    Status put(const std::string& rel, std::string_view bytes, mode_t mode) {
        auto s = store::atomic_write_file_at(dir_.get(), shown_, rel, bytes, mode);
        if (s) report_.files.push_back(rel);
        return s;
    }

  private:
    UniqueFd dir_;
    std::string shown_;
    RecipeReport& report_;
};

// `-o DIR`: a safe path; made when missing; an existing DIR must be a real
// directory (not a symlink) and empty unless --force.
Result<UniqueFd> open_output_dir(std::string dir, bool force) {
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();  // "-o out/"
    if (auto why = escape::unsafe_path_reason(dir); !why.empty())
        return Error{"-o " + escape::visible(dir) + ": " + why + "; " + escape::kSafePathRule, {}};
    struct stat st {};
    if (::lstat(dir.c_str(), &st) == 0) {
        if (S_ISLNK(st.st_mode))
            return Error{"-o " + dir + " is a symlink; give the directory itself", {}};
        if (!S_ISDIR(st.st_mode)) return Error{"-o " + dir + " exists and is not a directory", {}};
        std::error_code ec;
        if (!force && !std::filesystem::is_empty(dir, ec))
            return Error{"-o " + dir + " exists and is not empty; use --force to write the " +
                             "recipe into it",
                         {}};
    } else if (errno == ENOENT) {
        std::error_code ec;
        const auto parent = std::filesystem::path(dir).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent, ec);
        if (ec) return Error{"creating " + parent.string() + ": " + ec.message(), {}};
        if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
            return Error{"creating " + dir + ": " + std::strerror(errno), {}};
    } else {
        return Error{"-o " + dir + ": " + std::strerror(errno), {}};
    }
    return store::open_dir_nofollow(dir);
}

// A fleet member's units: the package does not ship them.
std::string cluster_unit_destination(std::string_view path, const ClusterImage& cluster) {
    for (const auto& u : cluster.unit_templates)
        if (u == path) return "rootfs/usr/lib/systemd/system/" + u.substr(u.find('/') + 1);
    return {};
}

// Templates: image/recipe/X -> X (X.in rendered to X); systemd/ -> rootfs/,
// unless the image installs the package, which ships them.
Status write_templates(Writer& w, const Vars& vars, bool from_package,
                       const ClusterImage& cluster) {
    for (const auto& t : templates()) {
        std::string rel;
        if (t.path.substr(0, kRecipe.size()) == kRecipe)
            rel = std::string(t.path.substr(kRecipe.size()));
        else if (const char* dest = systemd_destination(t.path); dest && !from_package)
            rel = dest;
        else if (auto unit = cluster_unit_destination(t.path, cluster); !unit.empty())
            rel = std::move(unit);
        else
            continue;  // cloud-init templates are not part of the recipe
        std::string text(t.text);
        if (ends_with(rel, ".in")) {
            rel.resize(rel.size() - 3);
            // image.env is sourced by bash; the other templates are line-based text.
            const Format format = rel == "image.env" ? Format::shell : Format::plain;
            auto rendered = render(t.text, vars, t.path, format);
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
Status write_state_dir_files(Writer& w, const model::Profile& profile) {
    auto files = state_dir_files(profile);
    if (!files) return files.error();
    for (const auto& f : *files)
        if (auto s = w.put("rootfs" + f.path, f.text, f.mode); !s) return s;
    return ok_status();
}

}  // namespace

Result<RecipeReport> write_recipe(const model::Profile& profile, const Settings& settings) {
    RecipeReport report;
    auto vars = profile_variables(profile, settings, report.warnings);
    if (!vars) return vars.error();
    auto profile_text = read_file(settings.profile_path);
    if (!profile_text) return profile_text.error();
    // customize.sh installs vpngw.deb with dpkg when it is there, else copies vpngw.
    const bool from_package = !settings.package_path.empty();
    auto binary = read_file(from_package ? settings.package_path : settings.binary_path);
    if (!binary) return binary.error();

    auto out = open_output_dir(settings.output_dir, settings.force);
    if (!out) return out.error();
    auto dir = std::filesystem::absolute(settings.output_dir).lexically_normal().string();
    if (!dir.empty() && dir.back() == '/') dir.pop_back();
    Writer w(std::move(*out), dir, report);

    const auto cluster = cluster_image(profile);
    if (auto s = write_templates(w, *vars, from_package, cluster); !s) return s.error();
    if (!cluster.packages.empty()) {
        // Its own file in base/: the cached base's key covers it, so a fleet
        // member's base (with keepalived, conntrackd) is cached apart.
        std::string list = "# keepalived and conntrackd of [cluster] (docs/fleet.md)\n";
        for (const auto& p : cluster.packages) list += p + "\n";
        if (auto s = w.put("base/cluster-packages.list", list, 0644); !s) return s.error();
    }
    if (auto s = write_state_dir_files(w, profile); !s) return s.error();
    const auto& name = vars->at("PROFILE_NAME");
    if (auto s = w.put("rootfs/etc/vpngw/" + name + ".toml", *profile_text, 0600); !s)
        return s.error();
    if (!settings.authorized_keys.empty()) {
        auto keys = read_file(settings.authorized_keys);
        if (!keys) return keys.error();
        if (auto s = w.put("rootfs/root/.ssh/authorized_keys", *keys, 0600); !s) return s.error();
    }
    if (auto s = w.put(from_package ? "vpngw.deb" : "vpngw", *binary, from_package ? 0644 : 0755);
        !s)
        return s.error();
    report.build_script = dir + "/build.sh";
    return report;
}

}  // namespace vpngw::image
