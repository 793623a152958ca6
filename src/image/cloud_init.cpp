#include "image/cloud_init.hpp"

#include <sodium.h>

#include <cstdio>
#include <vector>

#include "escape/escape.hpp"
#include "image/files.hpp"
#include "image/render.hpp"
#include "image/state_dir.hpp"
#include "image/templates.hpp"
#include "image/variables.hpp"

namespace vpngw::image {

namespace {

// One write_files entry. The content is base64: YAML readers disagree on
// what ends a literal block (PyYAML breaks lines at U+2028), base64 has no
// such character.
Result<std::string> write_files_entry(const MachineFile& f) {
    auto path = escape::yaml_double_quoted(f.path);
    if (!path) return Error{"cannot write the path " + escape::visible(f.path) + " into YAML", {}};
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(f.mode));
    return "  - path: " + *path + "\n    permissions: '" + mode +
           "'\n    encoding: b64\n    content: " + escape::base64(f.text) + "\n";
}

// --binary-url: https only, and only the characters RFC 3986 allows in a URL
// (anything else percent-encoded), so it is one line in every context.
Status check_binary_url(const std::string& url) {
    constexpr std::string_view scheme = "https://";
    if (url.rfind(scheme, 0) != 0 || url.size() == scheme.size() || url[scheme.size()] == '/')
        return Error{
            "--binary-url must be an https:// URL with a host, got " + escape::visible(url), {}};
    for (unsigned char c : url) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') ||
                        std::string_view("-._~:/?#[]@!$&'()*+,;=%").find(static_cast<char>(c)) !=
                            std::string_view::npos;
        if (!ok)
            return Error{"--binary-url " + escape::visible(url) +
                             ": percent-encode characters outside RFC 3986 (spaces, quotes, "
                             "'<>\\^`{|}', non-ASCII)",
                         {}};
    }
    return ok_status();
}

// The runcmd line that fetches and checks the binary: a shell command (the
// URL one single-quoted word) inside a YAML double-quoted scalar.
Result<std::string> fetch_command(const std::string& url, const std::string& sha256) {
    auto word = escape::shell_word(url);
    if (!word) return Error{"--binary-url cannot be written into a shell command", {}};
    const std::string cmd = "curl -fsSL -o /usr/sbin/vpngw.new " + *word + "; echo '" + sha256 +
                            "  /usr/sbin/vpngw.new' | sha256sum -c; chmod 0755 "
                            "/usr/sbin/vpngw.new; mv /usr/sbin/vpngw.new /usr/sbin/vpngw";
    auto yaml = escape::yaml_double_quoted(cmd);
    if (!yaml) return Error{"--binary-url cannot be written into YAML", {}};
    return *yaml;
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
    if (auto s = check_binary_url(settings.binary_url); !s) return s.error();
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
    auto state_files = state_dir_files(profile);
    if (!state_files) return state_files.error();

    const auto& name = vars->at("PROFILE_NAME");
    std::vector<MachineFile> files = {
        {"/etc/vpngw/" + name + ".toml", *profile_text, 0600},
        {"/etc/systemd/system/vpngw@.service", *unit, 0644},
        {"/etc/sysctl.d/60-vpngw.conf", *sysctl, 0644},
        {"/etc/tmpfiles.d/vpngw.conf", *tmpfiles, 0644},
        {"/etc/ssh/sshd_config.d/00-vpngw.conf", *sshd, 0644},
        {"/etc/modules-load.d/vpngw.conf", "wireguard\n", 0644},
    };
    std::string tmpfiles_confs = "/etc/tmpfiles.d/vpngw.conf";
    for (auto& f : *state_files) {
        if (f.path.starts_with("/etc/tmpfiles.d/")) tmpfiles_confs += ", " + f.path;
        files.push_back(std::move(f));
    }
    std::string write_files;
    for (const auto& f : files) {
        auto entry = write_files_entry(f);
        if (!entry) return entry.error();
        write_files += *entry;
    }
    write_files.pop_back();  // the template's line ends it
    auto fetch = fetch_command(settings.binary_url, *sha);
    if (!fetch) return fetch.error();

    Vars v = *vars;
    v["BINARY_URL"] = settings.binary_url;
    std::string packages;
    for (const auto& p : runtime_library_packages()) packages += (packages.empty() ? "" : ", ") + p;
    v["PACKAGES"] = packages;
    v["WRITE_FILES_YAML"] = write_files;
    v["FETCH_BINARY_YAML"] = *fetch;
    v["TMPFILES_CONFS"] = tmpfiles_confs;
    return render(*tmpl, v, "image/cloud-init/user-data.yaml.in");
}

}  // namespace vpngw::image
