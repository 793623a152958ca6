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

void add_build(CLI::App& image, CommandContext& ctx) {
    auto* cmd = image.add_subcommand("build", "Write a bootable VPS image recipe (and build it)");
    auto opt = std::make_shared<ImageCommand>();
    auto& s = opt->settings;
    cmd->add_option("profile", s.profile_path, "Profile file")->required();
    cmd->add_option("-o,--output", s.output_dir, "Directory for the recipe")->required();
    cmd->add_flag("--force", s.force,
                  "Write into DIR even when it is not empty (symlinks in it are not followed)");
    cmd->add_flag("--build", opt->build, "Also run DIR/build.sh (as root): DIR/out/disk.raw");
    cmd->add_flag("--qcow2", s.qcow2, "Also convert the disk to DIR/out/disk.qcow2");
    cmd->add_flag("--bake-keys", s.bake_keys,
                  "Put WireGuard and SSH host keys in the image (default: made on first boot)");
    cmd->add_option("--authorized-keys", s.authorized_keys,
                    "File copied to /root/.ssh/authorized_keys")
        ->check(CLI::ExistingFile);
    cmd->add_option("--binary", s.binary_path, "vpngw binary for the image (default: this one)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--root-size", s.root_size_mb, "Root partition in MiB (grows on first boot)")
        ->check(CLI::Range(1024, 65536))
        ->capture_default_str();
    cmd->footer(
        "Example:\n  vpngw image build profiles/vps-gateway.toml -o out/ --authorized-keys "
        "~/.ssh/id_ed25519.pub --build --qcow2\nSee docs/image.md.");
    cmd->callback([&ctx, opt] { ctx.action = [opt] { return run_image_build(*opt); }; });
}

void add_cloud_init(CLI::App& image, CommandContext& ctx) {
    auto* cmd = image.add_subcommand("cloud-init",
                                     "Print #cloud-config user-data for a stock Debian 12 VM");
    auto opt = std::make_shared<ImageCommand>();
    auto& s = opt->settings;
    cmd->add_option("profile", s.profile_path, "Profile file")->required();
    cmd->add_option("--binary-url", s.binary_url,
                    "https:// URL the VM downloads vpngw from (upload --binary there)")
        ->required();
    cmd->add_option("--binary", s.binary_path,
                    "The vpngw file served at --binary-url, for its SHA-256 (default: this one)")
        ->check(CLI::ExistingFile);
    cmd->footer(
        "Example:\n  vpngw image cloud-init profiles/vps-gateway.toml \\\n"
        "    --binary-url https://files.example.net/vpngw > user-data.yaml\nSee docs/image.md.");
    cmd->callback([&ctx, opt] { ctx.action = [opt] { return run_cloud_init(*opt); }; });
}

}  // namespace

void add_image_command(CLI::App& app, CommandContext& ctx) {
    auto* image = app.add_subcommand("image", "Bootable VPS images and cloud-init user-data");
    image->require_subcommand(1);
    image->footer("Example:\n  vpngw image build profiles/vps-gateway.toml -o out/");
    add_build(*image, ctx);
    add_cloud_init(*image, ctx);
}

}  // namespace vpngw::cli
