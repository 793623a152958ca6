#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/log.hpp"
#include "cli/open_session.hpp"
#include "cli/peer_cli.hpp"
#include "cli/print.hpp"
#include "cli/status_text.hpp"
#include "gateway/peers.hpp"
#include "json/json_view.hpp"
#include "model/peer_limits.hpp"
#include "qr/qr.hpp"
#include "store/atomic_file.hpp"

namespace vpngw::cli {

void print_profile_errors(const Diagnostics& diags) {
    for (const auto& d : diags.all())
        if (d.severity == Severity::error) std::fprintf(stderr, "%s\n", d.str().c_str());
}

void write_out(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

void print_notes(const std::vector<std::string>& notes) {
    for (const auto& n : notes)
        if (!n.empty()) std::fprintf(stderr, "note: %s\n", n.c_str());
}

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

Result<std::vector<IpAddress>> parse_addresses(const std::string& text) {
    std::vector<IpAddress> out;
    if (text.empty()) return out;
    std::string_view rest = text;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const std::string_view one = rest.substr(0, comma);
        rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
        auto a = IpAddress::parse(one);
        if (!a)
            return Error{"--address: \"" + std::string(one) +
                         "\" is not an IP address (give A or A,A6, e.g. 10.8.1.50,fd08::50)"};
        out.push_back(*a);
    }
    return out;
}

Result<std::vector<Prefix>> parse_networks(const std::vector<std::string>& texts,
                                           const char* option) {
    std::vector<Prefix> out;
    for (const auto& t : texts) {
        auto p = Prefix::parse(t);
        if (!p || t.find('/') == std::string::npos)
            return Error{std::string(option) + ": \"" + t +
                         "\" is not a network in CIDR form (192.168.50.0/24)"};
        if (p->has_host_bits())
            return Error{std::string(option) + ": " + t + " has host bits set; the network is " +
                         p->network().str()};
        out.push_back(*p);
    }
    return out;
}

namespace {

// The lifecycle options of add, parsed into the request.
Status fill_limits(const PeerOptions& opt, gateway::AddPeerRequest& r) {
    auto addresses = parse_addresses(opt.address);
    if (!addresses) return addresses.error();
    r.addresses = *addresses;
    auto networks = parse_networks(opt.networks, "--network");
    if (!networks) return networks.error();
    r.networks = *networks;
    if (!opt.expires.empty()) {
        auto e = model::parse_expiry(opt.expires, gateway::now_utc());
        if (!e) return Error{"--expires: " + e.error().message};
        r.expires = *e;
    }
    if (!opt.quota.empty()) {
        auto q = model::parse_quota(opt.quota);
        if (!q) return Error{"--quota: " + q.error().message};
        r.quota = *q;
    }
    if (!opt.rate.empty()) {
        auto q = model::parse_rate(opt.rate);
        if (!q) return Error{"--rate: " + q.error().message};
        r.rate_bits = *q;
    }
    r.node = opt.node;
    return ok_status();
}

int run_add(const PeerOptions& opt) {
    if (int rc = check_qr_options(opt); rc != kExitOk) return rc;
    gateway::AddPeerRequest request{opt.name, opt.group, std::nullopt, opt.psk};
    if (auto st = fill_limits(opt, request); !st) {
        std::fprintf(stderr, "error: %s\n", st.error().message.c_str());
        return kExitUsage;
    }
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
                                          gateway::StoredPeers::none, print_profile_errors,
                                          gateway::ProfilePeers::indexed);
    if (!session) return kExitFailure;
    auto live = gateway::system_gateway(opt.session_options());
    auto report = gateway::add_peer(*session, request, *live);
    if (!report) {
        print_error(report.error());
        return kExitFailure;
    }
    print_notes(report->notes);
    const auto& peer = report->peer;
    const auto added = "peer " + peer.name + " added to group " + peer.group + ": " +
                       address_list(peer.address, peer.address6);
    std::fprintf(stderr, "%s\n", added.c_str());
    log::record(added, {.op = "peer-add",
                        .peer = peer.name,
                        .group = peer.group,
                        .unit = service_manager::unit_for_profile(opt.gateway.profile_path)});
    std::fprintf(stderr, "%s\n", report->live.note.c_str());
    for (const auto& note : report->notes) print_note(note);
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
                                          gateway::StoredPeers::none, print_profile_errors,
                                          gateway::ProfilePeers::indexed);
    if (!session) return kExitFailure;
    auto live = gateway::system_gateway(opt.session_options());
    auto report = gateway::remove_peer(*session, opt.name, *live);
    if (!report) {
        print_error(report.error());
        return kExitFailure;
    }
    print_notes(report->notes);
    const auto removed = "peer " + opt.name + " removed (" +
                         address_list(report->peer.address, report->peer.address6) + ")";
    std::fprintf(stderr, "%s\n", removed.c_str());
    for (const auto& note : report->notes) print_note(note);
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

// Writes `text` and empties it once it holds a few pages: the listing
// goes out as it is read, never held whole.
void flush_some(std::string& text, bool all = false) {
    if (!all && text.size() < 64 * 1024) return;
    std::fwrite(text.data(), 1, text.size(), stdout);
    text.clear();
}

std::string table_header() {
    char line[512];
    std::snprintf(line, sizeof line, "%-15s %-15s %-34s %-44s %-7s %-10s %-10s %-10s %s\n", "NAME",
                  "GROUP", "ADDRESSES", "PUBLIC KEY", "SOURCE", "STATE", "HANDSHAKE", "RX", "TX");
    return line;
}

void append_table_row(std::string& out, const gateway::PeerListEntry& p) {
    std::string hs = "-", rx = "-", tx = "-";
    if (p.stats) {
        hs = age(p.stats->last_handshake_sec);
        rx = bytes_text(p.stats->rx_bytes);
        tx = bytes_text(p.stats->tx_bytes);
    }
    const char* state = p.expired ? "expired" : p.disabled ? "disabled" : "enabled";
    // "%-15s %-15s %-34s %-44s %-7s %-10s %-10s %-10s %s\n", padded by hand
    append_left(out, p.name, 15);
    append_left(out, p.group, 15);
    append_left(out, address_list(p.address, p.address6), 34);
    append_left(out, p.public_key.base64(), 44);
    append_left(out, p.source == gateway::PeerListEntry::Source::state ? "state" : "profile", 7);
    append_left(out, state, 10);
    append_left(out, hs, 10);
    append_left(out, rx, 10);
    out += tx;
    out += '\n';
}

// `peer list`: the registry's peers are read, formatted and written one at
// a time (a session without them merged), so 50,000 peers cost one line of
// memory each only while the line waits in the output buffer.
int run_list(const PeerOptions& opt) {
    auto session = open_session_or_report(opt.session_options(), gateway::LockMode::none,
                                          gateway::StoredPeers::none, print_profile_errors);
    if (!session) return kExitFailure;
    auto live = gateway::system_gateway(opt.session_options());
    gateway::PeerFilter filter;
    if (!opt.group.empty()) filter.group = opt.group;
    filter.disabled_only = opt.disabled;
    filter.expired_only = opt.expired;
    const std::int64_t now = now_seconds();
    json::PeerListJson json_list;
    std::string out(opt.json ? json::PeerListJson::begin() : table_header());
    auto listing = gateway::list_peers(*session, *live, filter, [&](gateway::PeerListEntry&& p) {
        if (opt.json)
            json_list.add(out, p, now);
        else
            append_table_row(out, p);
        flush_some(out);
    });
    if (!listing) {
        flush_some(out, true);
        std::fflush(stdout);
        print_error(listing.error());
        return kExitFailure;
    }
    if (opt.json) out += json_list.end();
    flush_some(out, true);
    std::fflush(stdout);
    for (const auto& note : listing->notes) std::fprintf(stderr, "note: %s\n", note.c_str());
    return kExitOk;
}

int run_show(const PeerOptions& opt) {
    if (int rc = check_qr_options(opt); rc != kExitOk) return rc;
    auto session = open_session_or_report(opt.session_options(), gateway::LockMode::none,
                                          gateway::StoredPeers::none, print_profile_errors);
    if (!session) return kExitFailure;
    auto config = gateway::stored_client_config(*session, opt.name);
    if (!config) {
        print_error(config.error());
        return kExitFailure;
    }
    auto live = gateway::system_gateway(opt.session_options());
    gateway::PeerFilter one;
    one.name = opt.name;
    auto listing = gateway::list_peers(*session, *live, one, [](gateway::PeerListEntry&& p) {
        std::string facts = "peer " + p.name + ", group " + p.group + ", " +
                            address_list(p.address, p.address6) + ", " +
                            (p.expired    ? "expired"
                             : p.disabled ? "disabled"
                                          : "enabled");
        if (p.expires) facts += ", expires " + model::format_time(*p.expires);
        if (p.quota) facts += ", quota " + model::format_quota(*p.quota);
        if (p.rate_bits) facts += ", rate " + model::format_rate(*p.rate_bits);
        for (const auto& n : p.networks) facts += ", network " + n.str();
        std::fprintf(stderr, "%s\n", facts.c_str());
    });
    if (!listing) {
        print_error(listing.error());
        return kExitFailure;
    }
    write_out(config->view());
    return emit_qr(opt, *config) ? kExitOk : kExitFailure;
}

}  // namespace

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

std::vector<Option> join(std::vector<Option> first, std::vector<Option> second,
                         std::vector<Option> third) {
    for (auto* more : {&second, &third})
        for (auto& o : *more) first.push_back(std::move(o));
    return first;
}

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
            "  vpngw peer add bob --group staff --qr png -o bob.png\n"
            "  vpngw peer add bob --group staff --expires 30d --quota 50GiB/month --rate 20mbit\n"
            "  vpngw peer add branch --group sites --network 192.168.50.0/24",
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
                {.names = "--address",
                 .target = &opt->address,
                 .help = "Fixed address(es) instead of the lowest free: A or A,A6",
                 .type_name = "A[,A6]"},
                {.names = "--network",
                 .target = &opt->networks,
                 .help = "A network routed behind the peer (repeatable)",
                 .type_name = "CIDR"},
                {.names = "--expires",
                 .target = &opt->expires,
                 .help = "Disable the peer after a span (30d, 12h, 2w) or on a date (2027-01-31)",
                 .type_name = "WHEN"},
                {.names = "--quota",
                 .target = &opt->quota,
                 .help = "Data allowed per period, both directions (50GiB/month)",
                 .type_name = "SIZE/PERIOD"},
                {.names = "--rate",
                 .target = &opt->rate,
                 .help = "Rate limit, each direction (20mbit)",
                 .type_name = "RATE"},
                {.names = "--node",
                 .target = &opt->node,
                 .help = "Served by this fleet gateway only ([cluster] node); default: by all",
                 .type_name = "NAME"},
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
        .footer =
            "Example:\n  vpngw peer list\n  vpngw peer list --json | jq '.peers[].name'\n"
            "  vpngw peer list --group staff --disabled",
        .options = join(
            {
                {.names = "--json", .target = &opt->json, .help = "Machine-readable output"},
                {.names = "-g,--group", .target = &opt->group, .help = "Only this group's peers"},
                {.names = "--disabled",
                 .target = &opt->disabled,
                 .help = "Only peers disabled with `peer disable`"},
                {.names = "--expired",
                 .target = &opt->expired,
                 .help = "Only peers whose expiry has passed"},
            },
            common_options(*opt)),
        .action = [opt] { return run_list(*opt); },
    };
    Command show{
        .name = "show",
        .help = "A peer's state (stderr) and client config (and QR) again",
        .footer = "Example:\n  vpngw peer show alice-phone --qr png -o alice.png",
        .options = join({name}, qr_options(*opt), common_options(*opt)),
        .action = [opt] { return run_show(*opt); },
    };
    std::vector<Command> subcommands;
    for (auto* c : {&add, &remove, &list, &show}) subcommands.push_back(std::move(*c));
    for (auto& c : peer_lifecycle_subcommands(opt, name)) subcommands.push_back(std::move(c));
    subcommands.push_back(peer_link_command());
    return {{
        .name = "peer",
        .help = "Add, remove, disable, enable, edit, rotate, list, show, export and import peers",
        .footer = "Example:\n  vpngw peer add alice-phone --group staff\n  vpngw peer list --json",
        .subcommands = std::move(subcommands),
    }};
}

}  // namespace vpngw::cli
