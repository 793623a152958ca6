#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/log.hpp"
#include "cli/open_session.hpp"
#include "cli/print.hpp"
#include "cli/status_text.hpp"
#include "gateway/peer_names.hpp"
#include "gateway/peers.hpp"
#include "json/json_view.hpp"
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

void print_note(const std::string& note) {
    if (!note.empty()) std::fprintf(stderr, "%s\n", note.c_str());
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
    const auto added = "peer " + peer.name + " added to group " + peer.group + ": " +
                       address_list(peer.address, peer.address6);
    std::fprintf(stderr, "%s\n", added.c_str());
    log::record(added, {.op = "peer-add",
                        .peer = peer.name,
                        .group = peer.group,
                        .unit = service_manager::unit_for_profile(opt.gateway.profile_path)});
    std::fprintf(stderr, "%s\n", report->live.note.c_str());
    print_note(gateway::refresh_peer_names(*session));
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
    const auto removed = "peer " + opt.name + " removed (" +
                         address_list(report->peer.address, report->peer.address6) + ")";
    std::fprintf(stderr, "%s\n", removed.c_str());
    print_note(gateway::refresh_peer_names(*session));
    log::record(removed, {.op = "peer-remove",
                          .peer = opt.name,
                          .group = report->peer.group,
                          .unit = service_manager::unit_for_profile(opt.gateway.profile_path)});
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
    write_out(json::peer_list_json(listing, now_seconds()));
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

std::vector<Option> common_options(PeerOptions& opt) {
    return {
        {.names = "--profile",
         .target = &opt.gateway.profile_path,
         .help = "Profile file",
         .show_default = true,
         .env = "VPNGW_PROFILE"},
        {.names = "--state-dir",
         .target = &opt.state_dir,
         .help = "State directory (default: the profile's)"},
        {.names = "--wireguard-go",
         .target = &opt.gateway.wireguard_go,
         .help = "wireguard-go binary for userspace interfaces",
         .show_default = true},
    };
}

std::vector<Option> qr_options(PeerOptions& opt) {
    return {
        {.names = "--qr",
         .target = &opt.qr,
         .help = "QR code: terminal, png, svg or none (default: terminal when stdout is a "
                 "terminal)",
         .check = Check::one_of({"auto", "terminal", "png", "svg", "none"})},
        {.names = "-o,--output",
         .target = &opt.output,
         .help = "File for --qr png / --qr svg (written 0600)"},
    };
}

// Options in the order --help lists them.
std::vector<Option> join(std::vector<Option> first, std::vector<Option> second,
                         std::vector<Option> third = {}) {
    for (auto* more : {&second, &third})
        for (auto& o : *more) first.push_back(std::move(o));
    return first;
}

}  // namespace

std::vector<Command> peer_commands() {
    // One set of values for the four subcommands: the parse fills only the chosen one's.
    auto opt = std::make_shared<PeerOptions>();
    opt->gateway.profile_path = "/etc/vpngw/vpngw.toml";
    const Option name{.names = "name", .target = &opt->name, .help = "Peer name", .required = true};

    Command add{
        .name = "add",
        .help = "Add a peer: keys, addresses, client config, QR",
        .footer =
            "Examples:\n  vpngw peer add alice-phone --group staff --profile "
            "/etc/vpngw/office.toml\n"
            "  vpngw peer add bob --group staff --qr png -o bob.png",
        .options = join(
            {
                name,
                {.names = "-g,--group",
                 .target = &opt->group,
                 .help = "Group the peer joins",
                 .required = true},
                {.names = "--public-key",
                 .target = &opt->public_key,
                 .help = "The client's own public key (the server never sees its private key)"},
                {.names = "--psk", .target = &opt->psk, .help = "Also generate a preshared key"},
            },
            qr_options(*opt), common_options(*opt)),
        .action = [opt] { return run_add(*opt); },
    };
    Command remove{
        .name = "remove",
        .help = "Remove a peer added with `peer add`",
        .footer = "Example:\n  vpngw peer remove alice-phone --profile /etc/vpngw/office.toml",
        .options = join({name}, common_options(*opt)),
        .action = [opt] { return run_remove(*opt); },
    };
    Command list{
        .name = "list",
        .help = "List peers, with handshakes and transfer when up",
        .footer = "Example:\n  vpngw peer list\n  vpngw peer list --json | jq '.peers[].name'",
        .options =
            join({{.names = "--json", .target = &opt->json, .help = "Machine-readable output"}},
                 common_options(*opt)),
        .action = [opt] { return run_list(*opt); },
    };
    Command show{
        .name = "show",
        .help = "Print a peer's client config (and QR) again",
        .footer = "Example:\n  vpngw peer show alice-phone --qr png -o alice.png",
        .options = join({name}, qr_options(*opt), common_options(*opt)),
        .action = [opt] { return run_show(*opt); },
    };
    return {{
        .name = "peer",
        .help = "Add, remove, list and show peers",
        .footer = "Example:\n  vpngw peer add alice-phone --group staff\n  vpngw peer list --json",
        .subcommands = {std::move(add), std::move(remove), std::move(list), std::move(show),
                        peer_link_command()},
    }};
}

}  // namespace vpngw::cli
