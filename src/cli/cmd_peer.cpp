#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/json_view.hpp"
#include "cli/open_session.hpp"
#include "cli/print.hpp"
#include "cli/status_text.hpp"
#include "gateway/peers.hpp"
#include "qr/qr.hpp"
#include "store/atomic_file.hpp"

namespace vpngw::cli {
namespace {

struct PeerOptions {
    gateway::Options gateway;
    std::string state_dir;  // empty: the profile's
    std::string name;
    std::string group;
    std::string public_key;
    bool psk = false;
    std::string qr = "auto";
    std::string output;
    bool json = false;

    gateway::Options session_options() const {
        gateway::Options o = gateway;
        if (!state_dir.empty()) o.state_dir = state_dir;
        return o;
    }
};

void print_profile_errors(const Diagnostics& diags) {
    for (const auto& d : diags.all())
        if (d.severity == Severity::error) std::fprintf(stderr, "%s\n", d.str().c_str());
}

void write_out(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

// --qr and -o together make sense only as png/svg + a file.
int check_qr_options(const PeerOptions& opt) {
    const bool file_format = opt.qr == "png" || opt.qr == "svg";
    if (file_format && opt.output.empty()) {
        std::fprintf(stderr, "error: --qr %s needs -o FILE\n", opt.qr.c_str());
        return kExitUsage;
    }
    if (!file_format && !opt.output.empty()) {
        std::fprintf(stderr, "error: -o FILE goes with --qr png or --qr svg\n");
        return kExitUsage;
    }
    return kExitOk;
}

// Prints or writes the QR code of a client config; false on failure.
bool emit_qr(const PeerOptions& opt, const SecretText& config) {
    std::string mode = opt.qr;
    if (mode == "auto") mode = ::isatty(STDOUT_FILENO) ? "terminal" : "none";
    if (mode == "none") return true;
    auto matrix = qr::encode(config.view());
    if (!matrix) {
        print_error(matrix.error());
        return false;
    }
    if (mode == "terminal") {
        write_out("\n");
        write_out(qr::render_terminal(*matrix, qr::TerminalStyle::ansi).view());
        return true;
    }
    SecretText image;
    if (mode == "png") {
        auto png = qr::render_png(*matrix);
        if (!png) {
            print_error(png.error());
            return false;
        }
        image = std::move(*png);
    } else {
        image = qr::render_svg(*matrix);
    }
    // The image holds the client's private key: 0600 like the config itself.
    if (auto st = store::atomic_write_file(opt.output, image.view(), 0600); !st) {
        print_error(st.error());
        return false;
    }
    std::fprintf(stderr, "QR code written to %s\n", opt.output.c_str());
    return true;
}

std::string address_list(const std::optional<IpAddress>& v4, const std::optional<IpAddress>& v6) {
    std::string text;
    if (v4) text = v4->str();
    if (v6) text += (text.empty() ? "" : ", ") + v6->str();
    return text.empty() ? "-" : text;
}

int run_add(const PeerOptions& opt) {
    if (int rc = check_qr_options(opt); rc != kExitOk) return rc;
    gateway::AddPeerRequest request{opt.name, opt.group, std::nullopt, opt.psk};
    if (!opt.public_key.empty()) {
        request.public_key = PublicKey::from_base64(opt.public_key);
        if (!request.public_key) {
            std::fprintf(stderr,
                         "error: --public-key must be 44 characters of base64 (what `wg pubkey` "
                         "prints)\n");
            return kExitUsage;
        }
    }
    auto session = open_session_or_report(opt.session_options(), gateway::LockMode::exclusive,
                                          gateway::StoredPeers::none, print_profile_errors);
    if (!session) return kExitFailure;
    auto live = gateway::system_gateway(opt.session_options());
    auto report = gateway::add_peer(*session, request, *live);
    if (!report) {
        print_error(report.error());
        return kExitFailure;
    }
    const auto& peer = report->peer;
    std::fprintf(stderr, "peer %s added to group %s: %s\n", peer.name.c_str(), peer.group.c_str(),
                 address_list(peer.address, peer.address6).c_str());
    std::fprintf(stderr, "%s\n", report->live.note.c_str());
    std::fprintf(stderr, "client config: %s\n", report->config_path.c_str());
    if (!report->server_made_key)
        std::fprintf(stderr,
                     "the client keeps its own private key: put it in place of the "
                     "\"# PrivateKey\" line\n");
    write_out(report->client_config.view());
    return emit_qr(opt, report->client_config) ? kExitOk : kExitFailure;
}

int run_remove(const PeerOptions& opt) {
    auto session = open_session_or_report(opt.session_options(), gateway::LockMode::exclusive,
                                          gateway::StoredPeers::none, print_profile_errors);
    if (!session) return kExitFailure;
    auto live = gateway::system_gateway(opt.session_options());
    auto report = gateway::remove_peer(*session, opt.name, *live);
    if (!report) {
        print_error(report.error());
        return kExitFailure;
    }
    std::fprintf(stderr, "peer %s removed (%s)\n", opt.name.c_str(),
                 address_list(report->peer.address, report->peer.address6).c_str());
    std::fprintf(stderr, "%s\n", report->live.note.c_str());
    return kExitOk;
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// "never", or the age of the last handshake as `vpngw status` prints it.
std::string age(std::int64_t then) {
    if (then == 0) return "never";
    return age_text(std::max<std::int64_t>(0, now_seconds() - then));
}

void print_json(const gateway::PeerListing& listing) {
    write_out(peer_list_json(listing, now_seconds()));
}

void print_table(const gateway::PeerListing& listing) {
    std::string out;
    char line[512];
    std::snprintf(line, sizeof line, "%-15s %-15s %-34s %-44s %-7s %-10s %-10s %s\n", "NAME",
                  "GROUP", "ADDRESSES", "PUBLIC KEY", "SOURCE", "HANDSHAKE", "RX", "TX");
    out += line;
    for (const auto& p : listing.peers) {
        std::string hs = "-", rx = "-", tx = "-";
        if (p.stats) {
            hs = age(p.stats->last_handshake_sec);
            rx = bytes_text(p.stats->rx_bytes);
            tx = bytes_text(p.stats->tx_bytes);
        }
        std::snprintf(line, sizeof line, "%-15s %-15s %-34s %-44s %-7s %-10s %-10s %s\n",
                      p.name.c_str(), p.group.c_str(), address_list(p.address, p.address6).c_str(),
                      p.public_key.base64().c_str(),
                      p.source == gateway::PeerListEntry::Source::state ? "state" : "profile",
                      hs.c_str(), rx.c_str(), tx.c_str());
        out += line;
    }
    write_out(out);
}

int run_list(const PeerOptions& opt) {
    auto session = open_session_or_report(opt.session_options(), gateway::LockMode::none,
                                          gateway::StoredPeers::merged, print_profile_errors);
    if (!session) return kExitFailure;
    auto live = gateway::system_gateway(opt.session_options());
    auto listing = gateway::list_peers(*session, *live);
    for (const auto& note : listing.notes) std::fprintf(stderr, "note: %s\n", note.c_str());
    if (opt.json)
        print_json(listing);
    else
        print_table(listing);
    return kExitOk;
}

int run_show(const PeerOptions& opt) {
    if (int rc = check_qr_options(opt); rc != kExitOk) return rc;
    auto session = open_session_or_report(opt.session_options(), gateway::LockMode::none,
                                          gateway::StoredPeers::merged, print_profile_errors);
    if (!session) return kExitFailure;
    auto config = gateway::stored_client_config(*session, opt.name);
    if (!config) {
        print_error(config.error());
        return kExitFailure;
    }
    write_out(config->view());
    return emit_qr(opt, *config) ? kExitOk : kExitFailure;
}

void add_common_options(CLI::App* cmd, PeerOptions& opt) {
    cmd->add_option("--profile", opt.gateway.profile_path, "Profile file")
        ->envname("VPNGW_PROFILE")
        ->capture_default_str();
    cmd->add_option("--state-dir", opt.state_dir, "State directory (default: the profile's)");
    cmd->add_option("--wireguard-go", opt.gateway.wireguard_go,
                    "wireguard-go binary for userspace interfaces")
        ->capture_default_str();
}

void add_qr_options(CLI::App* cmd, PeerOptions& opt) {
    cmd->add_option("--qr", opt.qr,
                    "QR code: terminal, png, svg or none (default: terminal when stdout is a "
                    "terminal)")
        ->check(CLI::IsMember({"auto", "terminal", "png", "svg", "none"}));
    cmd->add_option("-o,--output", opt.output, "File for --qr png / --qr svg (written 0600)");
}

}  // namespace

void add_peer_command(CLI::App& app, CommandContext& ctx) {
    auto* peer = app.add_subcommand("peer", "Add, remove, list and show peers");
    peer->require_subcommand(1);
    peer->footer("Example:\n  vpngw peer add alice-phone --group staff\n  vpngw peer list --json");
    auto opt = std::make_shared<PeerOptions>();
    opt->gateway.profile_path = "/etc/vpngw/vpngw.toml";

    auto* add = peer->add_subcommand("add", "Add a peer: keys, addresses, client config, QR");
    add->add_option("name", opt->name, "Peer name")->required();
    add->add_option("-g,--group", opt->group, "Group the peer joins")->required();
    add->add_option("--public-key", opt->public_key,
                    "The client's own public key (the server never sees its private key)");
    add->add_flag("--psk", opt->psk, "Also generate a preshared key");
    add_qr_options(add, *opt);
    add_common_options(add, *opt);
    add->footer(
        "Examples:\n  vpngw peer add alice-phone --group staff --profile /etc/vpngw/office.toml\n"
        "  vpngw peer add bob --group staff --qr png -o bob.png");
    add->callback([&ctx, opt] { ctx.action = [opt] { return run_add(*opt); }; });

    auto* remove = peer->add_subcommand("remove", "Remove a peer added with `peer add`");
    remove->add_option("name", opt->name, "Peer name")->required();
    add_common_options(remove, *opt);
    remove->footer("Example:\n  vpngw peer remove alice-phone --profile /etc/vpngw/office.toml");
    remove->callback([&ctx, opt] { ctx.action = [opt] { return run_remove(*opt); }; });

    auto* list = peer->add_subcommand("list", "List peers, with handshakes and transfer when up");
    list->add_flag("--json", opt->json, "Machine-readable output");
    add_common_options(list, *opt);
    list->footer("Example:\n  vpngw peer list\n  vpngw peer list --json | jq '.peers[].name'");
    list->callback([&ctx, opt] { ctx.action = [opt] { return run_list(*opt); }; });

    auto* show = peer->add_subcommand("show", "Print a peer's client config (and QR) again");
    show->add_option("name", opt->name, "Peer name")->required();
    add_qr_options(show, *opt);
    add_common_options(show, *opt);
    show->footer("Example:\n  vpngw peer show alice-phone --qr png -o alice.png");
    show->callback([&ctx, opt] { ctx.action = [opt] { return run_show(*opt); }; });
}

}  // namespace vpngw::cli
