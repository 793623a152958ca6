#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/open_session.hpp"
#include "cli/print.hpp"
#include "gateway/migrate.hpp"
#include "store/atomic_file.hpp"

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
    if (opt.output.empty()) {
        std::fwrite(text->data(), 1, text->size(), stdout);
        return kExitOk;
    }
    if (auto st = store::atomic_write_file(opt.output, text->view(), 0600); !st) {
        print_error(st.error());
        return kExitFailure;
    }
    std::fprintf(stderr, "wrote %s (0600: it holds the private key)\n", opt.output.c_str());
    return kExitOk;
}

}  // namespace

void add_migrate_commands(CLI::App& app, CommandContext& ctx) {
    auto* import = app.add_subcommand("import", "Make a profile from another tool's config");
    import->require_subcommand(1);
    import->footer(
        "Example:\n  vpngw import wg-quick /etc/wireguard/wg0.conf -o /etc/vpngw/vpngw.toml");
    auto in = std::make_shared<ImportOptions>();
    in->request.profile_path = "vpngw.toml";
    in->request.state_dir = "/var/lib/vpngw";
    auto* wgq = import->add_subcommand(
        "wg-quick",
        "Profile, keys and peers from a wg-quick server config; lists what has no "
        "equivalent");
    wgq->add_option("config", in->request.config_path,
                    "wg-quick config, e.g. /etc/wireguard/wg0.conf")
        ->required();
    wgq->add_option("-o,--output", in->request.profile_path, "Profile to write")
        ->capture_default_str();
    wgq->add_option("--state-dir", in->request.state_dir,
                    "State directory for the keys (and [gateway].state_dir)")
        ->capture_default_str();
    wgq->add_flag("--force", in->request.force, "Overwrite an existing profile and key files");
    wgq->add_flag("--adopt", in->request.adopt,
                  "Mark the running interface as vpngw's (else plan/up refuse to touch it)");
    wgq->footer(
        "PreUp/PostUp/PreDown/PostDown hooks, DNS, Table, SaveConfig, server-side endpoints and\n"
        "routed AllowedIPs have no vpngw equivalent: they are listed and kept as comments.\n"
        "Example:\n  vpngw import wg-quick /etc/wireguard/wg0.conf -o /etc/vpngw/vpngw.toml "
        "--adopt\n"
        "  vpngw plan /etc/vpngw/vpngw.toml");
    wgq->callback([&ctx, in] { ctx.action = [in] { return run_import(*in); }; });

    auto* exp =
        app.add_subcommand("export", "Write a profile's server side in another tool's format");
    exp->require_subcommand(1);
    exp->footer(
        "Example:\n  vpngw export wg-quick /etc/vpngw/vpngw.toml -o /etc/wireguard/wg0.conf");
    auto out = std::make_shared<ExportOptions>();
    auto* wgx =
        exp->add_subcommand("wg-quick", "The WireGuard side of the profile as a wg-quick config");
    wgx->add_option("profile", out->gateway.profile_path, "Profile file")->required();
    wgx->add_option(
        "--state-dir",
        [out](const CLI::results_t& r) {
            out->gateway.state_dir = r.at(0);
            return true;
        },
        "Override [gateway].state_dir");
    wgx->add_option("--interface", out->request.ifname, "Interface to export (default: the first)");
    wgx->add_option("-o,--output", out->output,
                    "Write to FILE (0600) with the keys inline; stdout gets no key material");
    wgx->footer(
        "Example:\n  vpngw export wg-quick /etc/vpngw/vpngw.toml -o /etc/wireguard/wg0.conf\n"
        "  vpngw export wg-quick /etc/vpngw/vpngw.toml | less");
    wgx->callback([&ctx, out] { ctx.action = [out] { return run_export(*out); }; });
}

}  // namespace vpngw::cli
