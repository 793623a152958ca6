#include "image/cloud_init.hpp"

#include <sodium.h>

#include <sstream>

#include "image/files.hpp"
#include "image/render.hpp"
#include "image/templates.hpp"
#include "image/variables.hpp"

namespace vpngw::image {

namespace {

// A YAML literal block body: every line indented six spaces (under "content: |").
std::string indented(std::string_view text) {
    std::istringstream lines{std::string(text)};
    std::string out, line;
    bool first = true;
    while (std::getline(lines, line)) {
        if (!first) out += '\n';
        first = false;
        out += line.empty() ? "" : "      " + line;
    }
    return out;
}

Result<std::string> embedded(std::string_view path) {
    const auto* t = find_template(path);
    if (!t) return Error{std::string(path) + " is missing from this build", {}};
    return std::string(t->text);
}

}  // namespace

Result<std::string> sha256_file(const std::string& path) {
    auto bytes = read_file(path);
    if (!bytes) return bytes.error();
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes->data()),
                       bytes->size());
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char b : digest) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

Result<std::string> cloud_init_user_data(const model::Profile& profile, const Settings& settings,
                                         Diagnostics& warnings) {
    auto vars = profile_variables(profile, settings, warnings);
    if (!vars) return vars.error();
    auto sha = sha256_file(settings.binary_path);
    if (!sha) return sha.error();
    auto profile_text = read_file(settings.profile_path);
    if (!profile_text) return profile_text.error();
    auto sshd = sshd_config(*vars);
    if (!sshd) return sshd.error();
    auto unit = embedded("systemd/vpngw@.service");
    auto sysctl = embedded("systemd/vpngw.sysctl.conf");
    auto tmpfiles = embedded("systemd/vpngw.tmpfiles.conf");
    auto tmpl = embedded("image/cloud-init/user-data.yaml.in");
    for (const auto* r : {&unit, &sysctl, &tmpfiles, &tmpl})
        if (!*r) return r->error();

    Vars v = *vars;
    v["BINARY_URL"] = settings.binary_url;
    v["BINARY_SHA256"] = *sha;
    std::string packages;
    for (const auto& p : runtime_library_packages()) packages += (packages.empty() ? "" : ", ") + p;
    v["PACKAGES"] = packages;
    v["PROFILE"] = indented(*profile_text);
    v["UNIT"] = indented(*unit);
    v["SYSCTL"] = indented(*sysctl);
    v["TMPFILES"] = indented(*tmpfiles);
    v["SSHD"] = indented(*sshd);
    return render(*tmpl, v, "image/cloud-init/user-data.yaml.in");
}

}  // namespace vpngw::image
