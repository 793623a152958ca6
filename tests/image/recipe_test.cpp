// The image recipe and cloud-init user-data as their readers see them (bash
// sourcing image.env, PyYAML loading user-data, sh running its runcmd), with
// the hostile inputs of issue 16: each test here fails on a3739bc.

#include "image/recipe.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "../escape/samples.hpp"
#include "image/cloud_init.hpp"
#include "profile/loader.hpp"

namespace vpngw::image {
namespace {

using escape::testing::run_bash;
using escape::testing::TempDir;

std::string profile_text(const std::string& state_dir, const std::string& comment = "") {
    return "# " + comment +
           "\n[gateway]\nname = \"gw1\"\nendpoint = \"192.0.2.1:51820\"\nstate_dir = \"" +
           state_dir +
           "\"\n\n[[interface]]\nname = \"wg0\"\nlisten_port = 51820\naddress = "
           "[\"10.66.0.1/16\"]\n\n[[group]]\nname = \"staff\"\nsubnet = \"10.66.1.0/24\"\n"
           "allow = [\"any\"]\n\n[firewall]\nmanagement = { port = 22, allow = "
           "[\"192.0.2.0/24\"] }\n";
}

struct Fixture {
    TempDir dir;
    Settings settings;
    model::Profile profile;

    explicit Fixture(const std::string& text) {
        dir.write("gw1.toml", text);
        dir.write("vpngw-binary", "not really a binary\n");
        settings.profile_path = dir.path() + "/gw1.toml";
        settings.binary_path = dir.path() + "/vpngw-binary";
        settings.output_dir = dir.path() + "/recipe";
        settings.binary_url = "https://files.example.net/vpngw";
        auto loaded = profile::load_file(settings.profile_path);
        std::string diags;
        for (const auto& d : loaded.diagnostics.all()) diags += d.str() + "\n";
        if (!loaded.profile) ADD_FAILURE() << diags;
        if (loaded.profile) profile = *loaded.profile;
    }
};

// PyYAML's view of the user-data: its top-level keys, then each write_files
// path and (base64-decoded) content, then each runcmd entry as JSON.
std::string yaml_view(const TempDir& dir, const std::string& user_data) {
    dir.write("user-data.yaml", user_data);
    dir.write("view.py",
              "import base64, json, sys, yaml\n"
              "d = yaml.safe_load(open(sys.argv[1], 'rb'))\n"
              "print(sorted(d))\n"
              "for f in d['write_files']:\n"
              "    assert f['encoding'] == 'b64'\n"
              "    print('FILE', f['path'], f['permissions'])\n"
              "    sys.stdout.flush()\n"
              "    sys.stdout.buffer.write(base64.b64decode(f['content']) + b'\\nEND\\n')\n"
              "for c in d['runcmd']:\n"
              "    print('RUN', json.dumps(c))\n");
    return run_bash("python3 " + dir.path() + "/view.py " + dir.path() + "/user-data.yaml\n");
}

const std::string kTopLevel = "['package_update', 'packages', 'runcmd', 'write_files']\n";

// --- state_dir ----------------------------------------------------------------

TEST(ImageRecipe, StateDirOutsideTheSafeSetIsRefusedOnItsLine) {
    for (const std::string bad : {"/srv/$(touch pwned)", "/srv/x\\nExecStartPre=/bin/sh -c id",
                                  "/srv/a b", "/srv/x%i", "/srv//x"}) {
        auto loaded = profile::load_string(profile_text(bad), "p.toml");
        EXPECT_FALSE(loaded.profile) << bad;
        bool located = false;
        for (const auto& d : loaded.diagnostics.all())
            located = located || (d.where.line == 5 && d.where.column > 0 &&
                                  d.message.find("state_dir") != std::string::npos);
        EXPECT_TRUE(located) << bad;
    }
}

// Even a Profile that never went through the loader cannot get `$(...)` run
// by build.sh: state_dir reaches image.env only as a shell word and the unit
// only through the systemd escaper, which refuses it.
TEST(ImageRecipe, StateDirCommandSubstitutionNeverRunsWhenImageEnvIsSourced) {
    Fixture f(profile_text("/srv/vpngw"));
    const std::string marker = f.dir.path() + "/pwned";
    f.profile.gateway.state_dir = "/srv/$(touch " + marker + ")";
    auto report = write_recipe(f.profile, f.settings);
    if (report) run_bash(". " + f.settings.output_dir + "/image.env\n");
    EXPECT_FALSE(report.ok());
    EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(ImageRecipe, NewlineInStateDirCannotAddUnitOrTmpfilesLines) {
    Fixture f(profile_text("/srv/vpngw"));
    f.profile.gateway.state_dir = "/srv/x\nExecStartPre=/bin/sh -c id";
    auto report = write_recipe(f.profile, f.settings);
    ASSERT_FALSE(report.ok());
    EXPECT_NE(report.error().message.find("state_dir"), std::string::npos);
    const std::string dropin =
        f.settings.output_dir + "/rootfs/etc/systemd/system/vpngw@gw1.service.d/state-dir.conf";
    EXPECT_FALSE(std::filesystem::exists(dropin));
    f.settings.binary_url = "https://files.example.net/vpngw";
    Diagnostics warnings;
    EXPECT_FALSE(cloud_init_user_data(f.profile, f.settings, warnings).ok());
}

TEST(ImageRecipe, ImageEnvIsReadBackByBash) {
    Fixture f(profile_text("/srv/vpn-gw+1@a"));
    auto report = write_recipe(f.profile, f.settings);
    ASSERT_TRUE(report.ok()) << report.error().str();
    auto out = run_bash(". " + f.settings.output_dir +
                        "/image.env\nprintf '%s|' \"$IMAGE_NAME\" \"$PROFILE_NAME\" \"$BAKE_KEYS\" "
                        "\"${#KEY_FILES[@]}\" \"${KEY_FILES[@]}\"\n");
    EXPECT_EQ(out, "gw1|gw1|0|1|/srv/vpn-gw+1@a/wg0.key|");
    // The drop-in and tmpfiles entry for the non-default state_dir.
    TempDir root;
    run_bash("systemd-tmpfiles --root=" + root.path() + " --create " + f.settings.output_dir +
             "/rootfs/etc/tmpfiles.d/vpngw-state.conf\n");
    struct stat st {};
    ASSERT_EQ(::stat((root.path() + "/srv/vpn-gw+1@a").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    EXPECT_EQ(run_bash("cat " + f.settings.output_dir +
                       "/rootfs/etc/systemd/system/vpngw@gw1.service.d/state-dir.conf\n"),
              "# The profile's state_dir, writable despite ProtectSystem=strict.\n[Service]\n"
              "ReadWritePaths=/srv/vpn-gw+1@a\n");
}

// --- a fleet member ([cluster], docs/fleet.md) ---------------------------------

std::string cluster_profile_text(bool vrrp, bool sync) {
    std::string t = profile_text("/var/lib/vpngw") +
                    "\n[[uplink]]\nname = \"wan\"\ndevice = \"eth0\"\n"
                    "[cluster]\nnode = \"gw-a\"\netcd = [\"https://10.9.0.1:2379\"]\n"
                    "etcd_ca = \"/etc/vpngw/etcd/ca.pem\"\n"
                    "secret_file = \"/etc/vpngw/cluster.key\"\n";
    if (vrrp) t += "vrrp = { uplink = \"wan\", address = \"192.0.2.10/24\", router_id = 51 }\n";
    if (sync) t += "sync = { device = \"eth1\", address = \"10.99.0.1\", peer = \"10.99.0.2\" }\n";
    return t;
}

// What customize.sh does with CLUSTER_UNITS, on a copy of rootfs/: the units
// the recipe carries are enabled (systemctl --root follows [Install]).
std::string enabled_after_customize(const Fixture& f) {
    TempDir root;
    return run_bash("set -e\ncp -a " + f.settings.output_dir + "/rootfs/. " + root.path() +
                    "/\n. " + f.settings.output_dir +
                    "/image.env\nif [ ${#CLUSTER_UNITS[@]} -gt 0 ]; then systemctl --quiet "
                    "--root=" +
                    root.path() + " enable \"${CLUSTER_UNITS[@]}\"; fi\nls " + root.path() +
                    "/etc/systemd/system/multi-user.target.wants/ 2>/dev/null | sort\n");
}

TEST(ImageRecipe, FleetMemberGetsTheHaPackagesAndEnablesItsUnits) {
    Fixture f(cluster_profile_text(true, true));
    auto report = write_recipe(f.profile, f.settings);
    ASSERT_TRUE(report.ok()) << report.error().str();
    EXPECT_EQ(f.dir.read("recipe/base/cluster-packages.list"),
              "# keepalived and conntrackd of [cluster] (docs/fleet.md)\nconntrackd\nkeepalived\n");
    for (const char* unit : {"vpngw-follow@", "vpngw-keepalived@", "vpngw-conntrackd@"})
        EXPECT_TRUE(std::filesystem::exists(f.settings.output_dir +
                                            "/rootfs/usr/lib/systemd/system/" + unit + ".service"))
            << unit;
    EXPECT_EQ(run_bash(". " + f.settings.output_dir +
                       "/image.env\nprintf '%s|' \"${CLUSTER_UNITS[@]}\"\n"),
              "vpngw-follow@gw1.service|vpngw-conntrackd@gw1.service|"
              "vpngw-keepalived@gw1.service|");
    EXPECT_EQ(enabled_after_customize(f),
              "vpngw-conntrackd@gw1.service\nvpngw-follow@gw1.service\n"
              "vpngw-keepalived@gw1.service\n");
    // customize.sh checks the render, then enables them.
    const std::string customize = f.dir.read("recipe/customize.sh");
    EXPECT_NE(customize.find("vpngw cluster render"), std::string::npos);
    EXPECT_NE(customize.find("enable \"${CLUSTER_UNITS[@]}\""), std::string::npos);
    // The files the units need are the operator's to provision: said, not baked.
    std::string warnings;
    for (const auto& d : report->warnings.all()) warnings += d.message + "\n";
    EXPECT_NE(warnings.find("/etc/vpngw/cluster.key"), std::string::npos) << warnings;
    EXPECT_NE(warnings.find("/etc/vpngw/etcd/ca.pem"), std::string::npos) << warnings;
}

TEST(ImageRecipe, FleetMemberWithoutVrrpOrSyncGetsTheFollowerOnly) {
    Fixture f(cluster_profile_text(false, false));
    auto report = write_recipe(f.profile, f.settings);
    ASSERT_TRUE(report.ok()) << report.error().str();
    EXPECT_FALSE(std::filesystem::exists(f.settings.output_dir + "/base/cluster-packages.list"));
    EXPECT_FALSE(std::filesystem::exists(
        f.settings.output_dir + "/rootfs/usr/lib/systemd/system/vpngw-keepalived@.service"));
    EXPECT_EQ(enabled_after_customize(f), "vpngw-follow@gw1.service\n");
}

TEST(ImageRecipe, SingleGatewayEnablesNoFleetUnits) {
    Fixture f(profile_text("/var/lib/vpngw"));
    auto report = write_recipe(f.profile, f.settings);
    ASSERT_TRUE(report.ok()) << report.error().str();
    EXPECT_FALSE(std::filesystem::exists(f.settings.output_dir + "/base/cluster-packages.list"));
    EXPECT_FALSE(std::filesystem::exists(f.settings.output_dir +
                                         "/rootfs/usr/lib/systemd/system/vpngw-follow@.service"));
    EXPECT_EQ(run_bash(". " + f.settings.output_dir + "/image.env\necho ${#CLUSTER_UNITS[@]}\n"),
              "0\n");
    EXPECT_EQ(enabled_after_customize(f), "");
}

// --- image build -o DIR -------------------------------------------------------

TEST(ImageRecipe, OutputDirNotEmptyIsRefusedWithoutForce) {
    Fixture f(profile_text("/var/lib/vpngw"));
    std::filesystem::create_directory(f.settings.output_dir);
    f.dir.write("recipe/notes.txt", "mine\n");
    auto report = write_recipe(f.profile, f.settings);
    ASSERT_FALSE(report.ok());
    EXPECT_NE(report.error().message.find("--force"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(f.settings.output_dir + "/build.sh"));
    f.settings.force = true;
    EXPECT_TRUE(write_recipe(f.profile, f.settings).ok());
    EXPECT_EQ(f.dir.read("recipe/notes.txt"), "mine\n");
}

TEST(ImageRecipe, SymlinksInOutputDirAreNotFollowed) {
    Fixture f(profile_text("/var/lib/vpngw"));
    TempDir elsewhere;
    elsewhere.write("victim", "precious\n");
    ASSERT_EQ(::chmod((elsewhere.path() + "/victim").c_str(), 0600), 0);
    std::filesystem::create_directory(f.settings.output_dir);
    std::filesystem::create_symlink(elsewhere.path() + "/victim",
                                    f.settings.output_dir + "/build.sh");
    f.settings.force = true;
    auto report = write_recipe(f.profile, f.settings);
    ASSERT_TRUE(report.ok()) << report.error().str();
    EXPECT_EQ(elsewhere.read("victim"), "precious\n");
    struct stat st {};
    ASSERT_EQ(::stat((elsewhere.path() + "/victim").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u) << "the target was chmodded";
    EXPECT_FALSE(std::filesystem::is_symlink(f.settings.output_dir + "/build.sh"));

    // A symlinked directory below DIR is refused, nothing is written through it.
    std::filesystem::remove_all(f.settings.output_dir + "/rootfs");
    std::filesystem::create_directory_symlink(elsewhere.path(), f.settings.output_dir + "/rootfs");
    auto again = write_recipe(f.profile, f.settings);
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.error().message.find("symlink"), std::string::npos) << again.error().str();
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(elsewhere.path()))
        ++entries;
    EXPECT_EQ(entries, 1u);

    // -o itself a symlink, or outside the safe set: refused.
    f.settings.output_dir = f.dir.path() + "/link";
    std::filesystem::create_directory_symlink(elsewhere.path(), f.settings.output_dir);
    EXPECT_FALSE(write_recipe(f.profile, f.settings).ok());
    f.settings.output_dir = f.dir.path() + "/a b";
    EXPECT_FALSE(write_recipe(f.profile, f.settings).ok());
}

// --- cloud-init ---------------------------------------------------------------

// A U+2028 in a TOML comment is a line break to PyYAML: in a literal block it
// ended the profile and started a top-level `bootcmd`.
TEST(CloudInit, ProfileCommentWithLineSeparatorStaysInsideTheFile) {
    const std::string text =
        profile_text("/var/lib/vpngw",
                     "x\xe2\x80\xa8"
                     "bootcmd: [[touch, /pwned]]\xc2\x85\xe2\x80\xa9 \xe2\x80\xae");
    Fixture f(text);
    Diagnostics warnings;
    auto user_data = cloud_init_user_data(f.profile, f.settings, warnings);
    ASSERT_TRUE(user_data.ok()) << user_data.error().str();
    auto view = yaml_view(f.dir, *user_data);
    EXPECT_EQ(view.substr(0, view.find('\n') + 1), kTopLevel);
    EXPECT_NE(view.find("FILE /etc/vpngw/gw1.toml 0600\n" + text + "\nEND\n"), std::string::npos)
        << view;
}

TEST(CloudInit, BinaryUrlMustBeHttpsAndReachesCurlAsOneWord) {
    Fixture f(profile_text("/var/lib/vpngw"));
    Diagnostics warnings;
    for (const std::string bad : {"http://files.example.net/vpngw", "ftp://x/y", "https://",
                                  "https:///path", "https://h/a b", "https://h/a\nb",
                                  "https://h/a\"b", "https://h/\xe2\x80\xa8", "https://h/a`id`"}) {
        f.settings.binary_url = bad;
        EXPECT_FALSE(cloud_init_user_data(f.profile, f.settings, warnings).ok()) << bad;
    }
    const std::string url =
        "https://files.example.net/v'$(touch$IFS"
        "pwned)';x=1&y=$HOME#f";
    f.settings.binary_url = url;
    auto user_data = cloud_init_user_data(f.profile, f.settings, warnings);
    ASSERT_TRUE(user_data.ok()) << user_data.error().str();
    // runcmd[0] is [sh, -ec, COMMAND]: run COMMAND with curl recording its argv.
    f.dir.write("user-data.yaml", *user_data);
    auto out = run_bash("cd " + f.dir.path() +
                        " && python3 -c 'import sys, yaml; sys.stdout.write(yaml.safe_load("
                        "open(\"user-data.yaml\"))[\"runcmd\"][0][2])' > cmd && sh -ec "
                        "'curl() { printf \"%s\\n\" \"$@\"; exit 0; }; . ./cmd'\n");
    EXPECT_EQ(out, "-fsSL\n-o\n/usr/sbin/vpngw.new\n" + url + "\n");
    EXPECT_FALSE(std::filesystem::exists(f.dir.path() + "/pwned"));
}

TEST(CloudInit, NonDefaultStateDirIsCreatedAndWritable) {
    Fixture f(profile_text("/srv/vpngw-state"));
    Diagnostics warnings;
    auto user_data = cloud_init_user_data(f.profile, f.settings, warnings);
    ASSERT_TRUE(user_data.ok()) << user_data.error().str();
    auto view = yaml_view(f.dir, *user_data);
    EXPECT_EQ(view.substr(0, view.find('\n') + 1), kTopLevel);
    EXPECT_NE(view.find("FILE /etc/systemd/system/vpngw@gw1.service.d/state-dir.conf 0644\n"
                        "# The profile's state_dir, writable despite ProtectSystem=strict.\n"
                        "[Service]\nReadWritePaths=/srv/vpngw-state\n\nEND\n"),
              std::string::npos)
        << view;
    EXPECT_NE(view.find("FILE /etc/tmpfiles.d/vpngw-state.conf 0644\n"
                        "d /srv/vpngw-state 0700 root root -\n\nEND\n"),
              std::string::npos)
        << view;
    EXPECT_NE(view.find("RUN [\"systemd-tmpfiles\", \"--create\", \"/etc/tmpfiles.d/vpngw.conf\", "
                        "\"/etc/tmpfiles.d/vpngw-state.conf\"]\n"),
              std::string::npos)
        << view;
    // daemon-reload (for the drop-in) comes before the unit starts.
    EXPECT_LT(view.find("RUN [\"systemctl\", \"daemon-reload\"]"),
              view.find("RUN [\"systemctl\", \"enable\", \"--now\", \"vpngw@gw1.service\"]"));
}

// sshd keeps the first value it reads and includes sshd_config.d/*.conf in
// lexical order: vpngw's drop-in must sort before the providers' ones.
TEST(CloudInit, SshdDropInSortsBeforeProviderDropIns) {
    Fixture f(profile_text("/var/lib/vpngw"));
    Diagnostics warnings;
    auto user_data = cloud_init_user_data(f.profile, f.settings, warnings);
    ASSERT_TRUE(user_data.ok());
    auto view = yaml_view(f.dir, *user_data);
    const std::string name = "00-vpngw.conf";
    EXPECT_NE(view.find("FILE /etc/ssh/sshd_config.d/" + name + " 0644\n"), std::string::npos);
    for (const std::string provider :
         {"50-cloud-init.conf", "60-cloudimg-settings.conf", "01-permitrootlogin.conf",
          "10-provider.conf", "00_provider.conf", "00provider.conf"})
        EXPECT_LT(name, provider) << provider;
    auto report = write_recipe(f.profile, f.settings);
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(std::filesystem::exists(f.settings.output_dir +
                                        "/rootfs/etc/ssh/sshd_config.d/00-vpngw.conf"));
}

}  // namespace
}  // namespace vpngw::image
