#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/print.hpp"
#include "image/cloud_init.hpp"
#include "image/recipe.hpp"
#include "image/run_build.hpp"
#include "profile/loader.hpp"

namespace vpngw::cli {

namespace {

struct ImageCommand {
    image::Settings settings;
    bool build = false;
};

// The image carries the binary that wrote the recipe unless --binary says otherwise.
std::string this_binary() {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string("/proc/self/exe");
}

std::optional<model::Profile> load_profile(const std::string& path) {
    auto loaded = profile::load_file(path);
    print_diagnostics(loaded.diagnostics);
    if (!loaded.profile)
        std::fprintf(stderr, "%s: invalid profile; nothing written\n", path.c_str());
    return std::move(loaded.profile);
}

int run_image_build(ImageCommand& cmd) {
    if (!cmd.settings.package_path.empty() && !cmd.settings.binary_path.empty()) {
        std::fprintf(stderr, "error: --package and --binary exclude each other\n");
        return kExitUsage;
    }
    if (cmd.settings.binary_path.empty()) cmd.settings.binary_path = this_binary();
    auto profile = load_profile(cmd.settings.profile_path);
    if (!profile) return kExitFailure;
    auto report = image::write_recipe(*profile, cmd.settings);
    if (!report) {
        print_error(report.error());
        return kExitFailure;
    }
    print_diagnostics(report->warnings);
    std::printf("image recipe for %s: %zu files in %s\n", profile->gateway.name.c_str(),
                report->files.size(), cmd.settings.output_dir.c_str());
    if (!cmd.build) {
        std::printf("build it (as root): %s\n", report->build_script.c_str());
        return kExitOk;
    }
    std::fflush(stdout);
    if (auto s = image::run_build_script(report->build_script); !s) {
        print_error(s.error());
        return kExitFailure;
    }
    return kExitOk;
}

int run_cloud_init(ImageCommand& cmd) {
    if (cmd.settings.binary_path.empty()) cmd.settings.binary_path = this_binary();
    auto profile = load_profile(cmd.settings.profile_path);
    if (!profile) return kExitFailure;
    Diagnostics warnings;
    auto user_data = image::cloud_init_user_data(*profile, cmd.settings, warnings);
    print_diagnostics(warnings);
    if (!user_data) {
        print_error(user_data.error());
        return kExitFailure;
    }
    std::fputs(user_data->c_str(), stdout);
    return kExitOk;
}

Command build_command() {
    auto opt = std::make_shared<ImageCommand>();
    auto& s = opt->settings;
    return {
        .name = "build",
        .help = "Write a bootable VPS image recipe (and build it)",
        .footer =
            "Example:\n  vpngw image build profiles/vps-gateway.toml -o out/ --authorized-keys "
            "~/.ssh/id_ed25519.pub --build --qcow2\nSee docs/image.md.",
        .options =
            {
                {.names = "profile",
                 .target = &s.profile_path,
                 .help = "Profile file",
                 .required = true},
                {.names = "-o,--output",
                 .target = &s.output_dir,
                 .help = "Directory for the recipe",
                 .required = true},
                {.names = "--force",
                 .target = &s.force,
                 .help = "Write into DIR even when it is not empty (symlinks in it are not "
                         "followed)"},
                {.names = "--build",
                 .target = &opt->build,
                 .help = "Also run DIR/build.sh (as root): DIR/out/disk.raw"},
                {.names = "--qcow2",
                 .target = &s.qcow2,
                 .help = "Also convert the disk to DIR/out/disk.qcow2"},
                {.names = "--bake-keys",
                 .target = &s.bake_keys,
                 .help = "Put WireGuard and SSH host keys in the image (default: made on first "
                         "boot)"},
                {.names = "--authorized-keys",
                 .target = &s.authorized_keys,
                 .help = "File copied to /root/.ssh/authorized_keys",
                 .check = Check::existing_file()},
                {.names = "--binary",
                 .target = &s.binary_path,
                 .help = "vpngw binary for the image (default: this one)",
                 .check = Check::existing_file()},
                {.names = "--package",
                 .target = &s.package_path,
                 .help = "vpngw .deb (scripts/package) the image installs with dpkg, units "
                         "included, instead of copying a binary",
                 .type_name = "DEB",
                 .check = Check::existing_file()},
                {.names = "--root-size",
                 .target = &s.root_size_mb,
                 .help = "Root partition in MiB (grows on first boot)",
                 .show_default = true,
                 .check = Check::range(1024, 65536)},
            },
        .action = [opt] { return run_image_build(*opt); },
    };
}

Command cloud_init_command() {
    auto opt = std::make_shared<ImageCommand>();
    auto& s = opt->settings;
    return {
        .name = "cloud-init",
        .help = "Print #cloud-config user-data for a stock Debian 12 VM",
        .footer =
            "Example:\n  vpngw image cloud-init profiles/vps-gateway.toml \\\n"
            "    --binary-url https://files.example.net/vpngw > user-data.yaml\nSee "
            "docs/image.md.",
        .options =
            {
                {.names = "profile",
                 .target = &s.profile_path,
                 .help = "Profile file",
                 .required = true},
                {.names = "--binary-url",
                 .target = &s.binary_url,
                 .help = "https:// URL the VM downloads vpngw from (upload --binary there)",
                 .required = true},
                {.names = "--binary",
                 .target = &s.binary_path,
                 .help = "The vpngw file served at --binary-url, for its SHA-256 (default: this "
                         "one)",
                 .check = Check::existing_file()},
            },
        .action = [opt] { return run_cloud_init(*opt); },
    };
}

}  // namespace

std::vector<Command> image_commands() {
    return {{
        .name = "image",
        .help = "Bootable VPS images and cloud-init user-data",
        .footer = "Example:\n  vpngw image build profiles/vps-gateway.toml -o out/",
        .subcommands = {build_command(), cloud_init_command()},
    }};
}

}  // namespace vpngw::cli
