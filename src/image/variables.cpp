#include "image/variables.hpp"

#include <algorithm>
#include <sstream>

#include "escape/escape.hpp"
#include "image/cluster.hpp"
#include "image/templates.hpp"
#include "store/state_paths.hpp"

namespace vpngw::image {

namespace {

// systemd unit names allow fewer characters than profile names (no '=', '+').
bool valid_instance(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '.' || c == '-';
    });
}

// RFC 1123 label: lower-case letters, digits and '-', no '-' at either end.
std::string hostname_of(const std::string& name) {
    std::string h;
    for (char c : name) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        h += ok ? c : '-';
    }
    while (!h.empty() && h.front() == '-') h.erase(h.begin());
    while (!h.empty() && h.back() == '-') h.pop_back();
    return h.empty() ? "vpngw" : h;
}

std::string allow_users_line(const model::Firewall& fw) {
    if (!fw.management || fw.management->allow.empty())
        return "# No management allow list in the profile: any source may connect.";
    std::string line = "AllowUsers";
    for (const auto& p : fw.management->allow) line += " *@" + p.str();
    return line;
}

// The generated private key files, as shell words for image.env's array.
Result<std::string> key_file_words(const model::Profile& profile, Diagnostics& diags) {
    std::string words;
    for (const auto& ifc : profile.interfaces) {
        if (!ifc.private_key_file.empty()) {
            diags.warning(ifc.origin.at("private_key_file"),
                          "the image does not carry " + escape::visible(ifc.private_key_file) +
                              "; it must exist on the machine before vpngw@ starts");
            continue;
        }
        auto word =
            escape::shell_word(store::StatePaths{profile.gateway.state_dir}.key_file(ifc.name));
        if (!word)
            return Error{"state_dir cannot be written into a shell script",
                         profile.gateway.origin.at("state_dir")};
        words += (words.empty() ? "" : " ") + *word;
    }
    return words;
}

}  // namespace

Result<Vars> profile_variables(const model::Profile& profile, const Settings& settings,
                               Diagnostics& diags) {
    const auto& name = profile.gateway.name;
    if (!valid_instance(name))
        return Error{"gateway name \"" + name + "\" cannot name the unit vpngw@" + name +
                         ".service; use only letters, digits, '_', '.' and '-'",
                     profile.gateway.origin.at("name")};
    const auto& fw = profile.firewall;
    if (!fw.management && fw.input == model::Policy::drop)
        diags.warning(fw.origin.table,
                      "no [firewall] management entry and input = \"drop\": the image's SSH "
                      "will not be reachable once vpngw is up");
    Vars v;
    v["NAME"] = name;
    v["PROFILE_NAME"] = name;
    v["HOSTNAME"] = hostname_of(name);
    v["SSH_PORT"] = std::to_string(fw.management ? fw.management->port : 22);
    v["SSH_ALLOW_USERS"] = allow_users_line(fw);
    v["STATE_DIR"] = profile.gateway.state_dir;
    auto keys = key_file_words(profile, diags);
    if (!keys) return keys.error();
    v["KEY_FILES_WORDS"] = *keys;
    std::string units;
    for (const auto& u : cluster_image(profile).units) {
        auto word = escape::shell_word(u);
        if (!word) return Error{"unit " + escape::visible(u) + " cannot be a shell word", {}};
        units += (units.empty() ? "" : " ") + *word;
    }
    v["CLUSTER_UNITS_WORDS"] = units;
    warn_cluster_files(profile, diags);
    v["ROOT_SIZE_MB"] = std::to_string(settings.root_size_mb);
    v["QCOW2"] = settings.qcow2 ? "1" : "0";
    v["BAKE_KEYS"] = settings.bake_keys ? "1" : "0";
    v["VERSION"] = VPNGW_VERSION;
    return v;
}

// 00-: sshd keeps the first value it reads for most keywords, and includes
// sshd_config.d/*.conf in lexical order before its own settings, so this file
// wins over a provider's (50-cloud-init.conf, 60-cloudimg-settings.conf).
constexpr const char* kSshdTemplate = "image/recipe/rootfs/etc/ssh/sshd_config.d/00-vpngw.conf.in";

Result<std::string> sshd_config(const Vars& vars) {
    const auto* t = find_template(kSshdTemplate);
    if (!t) return Error{"the sshd template is missing from this build", {}};
    return render(t->text, vars, kSshdTemplate);
}

std::vector<std::string> runtime_library_packages() {
    const auto* t = find_template("image/recipe/base/packages.list");
    std::vector<std::string> out;
    if (!t) return out;
    std::istringstream lines{std::string(t->text)};
    std::string line;
    while (std::getline(lines, line))
        if (line.rfind("lib", 0) == 0) out.push_back(line);
    return out;
}

}  // namespace vpngw::image
