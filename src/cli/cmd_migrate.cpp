#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/open_session.hpp"
#include "cli/print.hpp"
#include "gateway/migrate.hpp"

namespace vpngw::cli {

namespace {

struct ImportOptions {
    gateway::ImportRequest request;
};

int run_import(const ImportOptions& opt) {
    auto report = gateway::import_wg_quick(opt.request);
    if (!report) {
        print_error(report.error());
        return kExitFailure;
    }
    std::printf("imported %s: interface %s, %zu peer(s)\n", opt.request.config_path.c_str(),
                report->ifname.c_str(), report->peers);
    for (const auto& w : report->written) std::printf("wrote %s\n", w.c_str());
    if (!report->untranslated.empty()) {
        std::printf("not translated (also listed at the top of the profile):\n");
        for (const auto& u : report->untranslated) std::printf("  %s\n", u.c_str());
    }
    if (report->adopted)
        std::printf("adopted the running interface %s: vpngw manages it from now on\n",
                    report->ifname.c_str());
    else if (opt.request.adopt)
        std::printf("%s is not running here: nothing to adopt\n", report->ifname.c_str());
    std::printf("next: vpngw plan %s  (no WireGuard change against the running %s%s)\n",
                opt.request.profile_path.c_str(), report->ifname.c_str(),
                report->adopted ? "" : " once adopted with --adopt");
    return kExitOk;
}

struct ExportOptions {
    gateway::Options gateway;
    gateway::ExportRequest request;
    std::string output;
};

int run_export(ExportOptions opt) {
    auto session = open_session_or_report(opt.gateway, gateway::LockMode::none);
    if (!session) return kExitFailure;
    // Key material only ever goes into a 0600 file; stdout gets a config that
    // loads the keys from vpngw's key files instead.
    opt.request.inline_secrets = !opt.output.empty();
    auto text = gateway::export_wg_quick(*session, opt.request);
    if (!text) {
        print_error(text.error());
        return kExitFailure;
    }
    if (int rc = print_or_write(text->view(), opt.output, 0600); rc != kExitOk) return rc;
    if (!opt.output.empty())
        std::fprintf(stderr, "wrote %s (0600: it holds the private key)\n", opt.output.c_str());
    return kExitOk;
}

}  // namespace

std::vector<Command> migrate_commands() {
    auto in = std::make_shared<ImportOptions>();
    in->request.profile_path = "vpngw.toml";
    in->request.state_dir = "/var/lib/vpngw";
    Command import_wg_quick{
        .name = "wg-quick",
        .help =
            "Profile, keys and peers from a wg-quick server config; lists what has no "
            "equivalent",
        .footer =
            "PreUp/PostUp/PreDown/PostDown hooks, DNS, Table, SaveConfig, server-side "
            "endpoints and\n"
            "routed AllowedIPs have no vpngw equivalent: they are listed and kept as "
            "comments.\n"
            "Example:\n  vpngw import wg-quick /etc/wireguard/wg0.conf -o "
            "/etc/vpngw/vpngw.toml --adopt\n"
            "  vpngw plan /etc/vpngw/vpngw.toml",
        .options =
            {
                {.names = "config",
                 .target = &in->request.config_path,
                 .help = "wg-quick config, e.g. /etc/wireguard/wg0.conf",
                 .required = true},
                {.names = "-o,--output",
                 .target = &in->request.profile_path,
                 .help = "Profile to write",
                 .show_default = true},
                {.names = "--state-dir",
                 .target = &in->request.state_dir,
                 .help = "State directory for the keys (and [gateway].state_dir)",
                 .show_default = true},
                {.names = "--force",
                 .target = &in->request.force,
                 .help = "Overwrite an existing profile and key files"},
                {.names = "--adopt",
                 .target = &in->request.adopt,
                 .help = "Mark the running interface as vpngw's (else plan/up refuse to touch it)"},
            },
        .action = [in] { return run_import(*in); },
    };

    auto out = std::make_shared<ExportOptions>();
    Command export_wg_quick{
        .name = "wg-quick",
        .help = "The WireGuard side of the profile as a wg-quick config",
        .footer =
            "Example:\n  vpngw export wg-quick /etc/vpngw/vpngw.toml -o /etc/wireguard/wg0.conf\n"
            "  vpngw export wg-quick /etc/vpngw/vpngw.toml | less",
        .options =
            {
                {.names = "profile",
                 .target = &out->gateway.profile_path,
                 .help = "Profile file",
                 .required = true},
                {.names = "--state-dir",
                 .target = &out->gateway.state_dir,
                 .help = "Override [gateway].state_dir"},
                {.names = "--interface",
                 .target = &out->request.ifname,
                 .help = "Interface to export (default: the first)"},
                {.names = "-o,--output",
                 .target = &out->output,
                 .help = "Write to FILE (0600) with the keys inline; stdout gets no key material"},
            },
        .action = [out] { return run_export(*out); },
    };

    return {
        {
            .name = "import",
            .help = "Make a profile from another tool's config",
            .footer = "Example:\n  vpngw import wg-quick /etc/wireguard/wg0.conf -o "
                      "/etc/vpngw/vpngw.toml",
            .subcommands = {std::move(import_wg_quick)},
        },
        {
            .name = "export",
            .help = "Write a profile's server side in another tool's format",
            .footer = "Example:\n  vpngw export wg-quick /etc/vpngw/vpngw.toml -o "
                      "/etc/wireguard/wg0.conf",
            .subcommands = {std::move(export_wg_quick)},
        },
    };
}

}  // namespace vpngw::cli
