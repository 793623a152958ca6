// `vpngw cluster render`: keepalived.conf, conntrackd.conf and the notify
// script of a profile's [cluster] (src/fleet/ha_config.hpp), written where
// the systemd units (systemd/vpngw-keepalived@.service, -conntrackd@) read them.

#include <filesystem>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/print.hpp"
#include "fleet/ha_config.hpp"
#include "profile/loader.hpp"

namespace vpngw::cli {
namespace {

struct RenderArgs {
    std::string profile;
    std::string dir = "/etc/vpngw/fleet";
    std::string run_dir = "/run";
    std::string vpngw = "/usr/sbin/vpngw";
};

int render(const RenderArgs& args) {
    auto loaded = profile::load_file(args.profile);
    print_diagnostics(loaded.diagnostics);
    if (!loaded.profile) return kExitFailure;
    fleet::HaPaths paths;
    paths.vpngw = args.vpngw;
    paths.profile = std::filesystem::absolute(args.profile).lexically_normal().string();
    paths.conntrackd_conf = args.dir + "/conntrackd.conf";
    paths.notify_script = args.dir + "/notify.sh";
    paths.lock_file = args.run_dir + "/vpngw-conntrackd.lock";
    paths.control_socket = args.run_dir + "/vpngw-conntrackd.ctl";

    auto keepalived = fleet::render_keepalived(*loaded.profile, paths);
    if (!keepalived) {
        print_error(keepalived.error());
        return kExitFailure;
    }
    if (int rc = print_or_write(*keepalived, args.dir + "/keepalived.conf", 0644); rc != kExitOk)
        return rc;
    if (!loaded.profile->cluster->sync) return kExitOk;
    auto conntrackd = fleet::render_conntrackd(*loaded.profile, paths);
    auto notify = fleet::render_notify_script(paths);
    for (const auto* r : {&conntrackd, &notify})
        if (!*r) {
            print_error(r->error());
            return kExitFailure;
        }
    if (int rc = print_or_write(*conntrackd, paths.conntrackd_conf, 0644); rc != kExitOk) return rc;
    // keepalived's script security: executable, owned by root, not writable by others.
    return print_or_write(*notify, paths.notify_script, 0755);
}

}  // namespace

std::vector<Command> cluster_commands() {
    auto args = std::make_shared<RenderArgs>();
    Command render_command{
        .name = "render",
        .help = "Write keepalived.conf, conntrackd.conf and notify.sh for the profile's [cluster]",
        .footer =
            "Example:\n  vpngw cluster render /etc/vpngw/gw-a.toml\n"
            "  systemctl enable --now vpngw-keepalived@gw-a vpngw-conntrackd@gw-a",
        .options = {{.names = "profile",
                     .target = &args->profile,
                     .help = "The profile with a [cluster] section",
                     .required = true,
                     .check = Check::existing_file()},
                    {.names = "--dir",
                     .target = &args->dir,
                     .help = "Directory the files are written to",
                     .show_default = true},
                    {.names = "--run-dir",
                     .target = &args->run_dir,
                     .help = "Directory of conntrackd's lock file and control socket",
                     .show_default = true},
                    {.names = "--vpngw",
                     .target = &args->vpngw,
                     .help = "The vpngw binary keepalived's health check runs",
                     .show_default = true}},
        .action = [args] { return render(*args); },
    };
    return {{
        .name = "cluster",
        .help = "Several gateways on one etcd registry: keepalived and conntrackd (docs/fleet.md)",
        .footer =
            "Example:\n  vpngw cluster render /etc/vpngw/gw-a.toml --dir /run/vpngw-fleet/gw-a",
        .subcommands = {std::move(render_command), cluster_follow_command()},
    }};
}

}  // namespace vpngw::cli
