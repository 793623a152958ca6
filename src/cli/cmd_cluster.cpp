// `vpngw cluster render`: keepalived.conf, conntrackd.conf and the notify
// script of a profile's [cluster] (src/fleet/ha_config.hpp), written where
// the systemd units (systemd/vpngw-keepalived@.service, -conntrackd@) read them.
// `vpngw cluster health`: keepalived's track script (src/fleet/ha_health.hpp).
// `vpngw cluster secret`: a new cluster secret file (src/fleet/psk_seal.hpp).

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/print.hpp"
#include "fleet/ha_config.hpp"
#include "fleet/ha_health.hpp"
#include "fleet/psk_seal.hpp"
#include "profile/loader.hpp"

namespace vpngw::cli {
namespace {

struct RenderArgs {
    std::string profile;
    std::string dir = "/etc/vpngw/fleet";
    std::string run_dir = "/run";
    std::string vpngw = "/usr/sbin/vpngw";
    std::string state_dir;  // empty: the profile's
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
    paths.vrrp_state_file =
        (args.state_dir.empty() ? loaded.profile->gateway.state_dir : args.state_dir) +
        "/vrrp.state";

    auto keepalived = fleet::render_keepalived(*loaded.profile, paths);
    if (!keepalived) {
        print_error(keepalived.error());
        return kExitFailure;
    }
    if (int rc = print_or_write(*keepalived, args.dir + "/keepalived.conf", 0644); rc != kExitOk)
        return rc;
    const bool sync = loaded.profile->cluster->sync.has_value();
    auto notify = fleet::render_notify_script(paths, sync);
    if (!notify) {
        print_error(notify.error());
        return kExitFailure;
    }
    if (sync) {
        auto conntrackd = fleet::render_conntrackd(*loaded.profile, paths);
        if (!conntrackd) {
            print_error(conntrackd.error());
            return kExitFailure;
        }
        if (int rc = print_or_write(*conntrackd, paths.conntrackd_conf, 0644); rc != kExitOk)
            return rc;
    }
    // keepalived's script security: executable, owned by root, not writable by others.
    return print_or_write(*notify, paths.notify_script, 0755);
}

// Exit 0: this member can serve; 1: it cannot (each reason on stderr), or
// the profile or the kernel could not be read.
int health(const std::string& profile_path) {
    auto loaded = profile::load_file(profile_path);
    print_diagnostics(loaded.diagnostics);
    if (!loaded.profile) return kExitFailure;
    auto facts = fleet::gather_health(*loaded.profile);
    if (!facts) {
        print_error(facts.error());
        return kExitFailure;
    }
    auto problems = fleet::judge_health(*loaded.profile, *facts);
    if (!problems) {
        print_error(problems.error());
        return kExitFailure;
    }
    for (const auto& p : *problems) print_error(Error{"unhealthy: " + p});
    if (!problems->empty()) return kExitFailure;
    std::puts("healthy");
    return kExitOk;
}

int secret(const std::string& out) {
    if (auto st = fleet::create_cluster_secret(out); !st) {
        print_error(st.error());
        return kExitFailure;
    }
    std::printf(
        "wrote %s (32 random bytes, mode 0600): copy it to every member and name it in "
        "[cluster] secret_file\n",
        out.c_str());
    return kExitOk;
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
                     .show_default = true},
                    {.names = "--state-dir",
                     .target = &args->state_dir,
                     .help = "Where the notify script records the VRRP state (default: the "
                             "profile's state_dir)"}},
        .action = [args] { return render(*args); },
    };
    auto health_profile = std::make_shared<std::string>();
    Command health_command{
        .name = "health",
        .help = "keepalived's track script: exit 0 while this member can serve the virtual address",
        .footer =
            "Checks the profile's WireGuard interfaces and the VRRP uplink's device are up, the\n"
            "uplink's table holds its routes, and (with [uplink.health]) one probe through the\n"
            "uplink is answered. Exit status: 0 healthy, 1 not (reasons on stderr).\n"
            "Example:\n  vpngw cluster health /etc/vpngw/gw-a.toml",
        .options = {{.names = "profile",
                     .target = health_profile.get(),
                     .help = "The profile with a [cluster] section",
                     .required = true,
                     .check = Check::existing_file()}},
        .action = [health_profile] { return health(*health_profile); },
    };
    auto secret_out = std::make_shared<std::string>();
    Command secret_command{
        .name = "secret",
        .help =
            "Create the cluster secret that seals preshared keys in etcd (0600, never "
            "overwritten)",
        .footer =
            "Copy the file to every member over the channel the WireGuard private key\n"
            "takes, and name it in [cluster] secret_file.\n"
            "Example:\n  vpngw cluster secret --out /etc/vpngw/cluster.key",
        .options = {{.names = "--out",
                     .target = secret_out.get(),
                     .help = "The file to create (it must not exist)",
                     .required = true}},
        .action = [secret_out] { return secret(*secret_out); },
    };
    return {{
        .name = "cluster",
        .help = "Several gateways on one etcd registry: keepalived and conntrackd (docs/fleet.md)",
        .footer =
            "Example:\n  vpngw cluster render /etc/vpngw/gw-a.toml --dir /run/vpngw-fleet/gw-a",
        .subcommands = {std::move(render_command), std::move(health_command),
                        std::move(secret_command), cluster_follow_command()},
    }};
}

}  // namespace vpngw::cli
