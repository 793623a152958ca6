// `vpngw token create|list|revoke` (the API's admin tokens) and `vpngw peer
// link` (one-time links): both write api.db in the state directory.

#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include "api/api.hpp"
#include "api/store.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/print.hpp"
#include "gateway/peers.hpp"
#include "store/state_paths.hpp"

namespace vpngw::cli {
namespace {

struct TokenOptions {
    gateway::Options gateway;
    std::string scope = "read";
    std::string name = "admin";
    std::string id;
    std::string peer;
    std::string ttl = "24h";
    std::string url;
};

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::optional<api::Store> open_store(const TokenOptions& opt) {
    auto dir = api::state_dir_of(opt.gateway);
    if (!dir) {
        print_error(dir.error());
        return std::nullopt;
    }
    auto store = api::Store::open(store::StatePaths{*dir}.api_db_file());
    if (!store) {
        print_error(store.error());
        return std::nullopt;
    }
    return std::move(*store);
}

std::string time_text(std::int64_t t) {
    std::time_t tt = t;
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

int run_create(const TokenOptions& opt) {
    auto scope = api::parse_scope(opt.scope);
    if (!scope) {
        std::fprintf(stderr, "error: --scope is read or write\n");
        return kExitUsage;
    }
    auto store = open_store(opt);
    if (!store) return kExitFailure;
    auto token = store->create_token(opt.name, *scope, now_seconds());
    if (!token) {
        print_error(token.error());
        return kExitFailure;
    }
    std::fprintf(stderr,
                 "token %lld (%s, scope %s) created; it is shown this once and stored only as "
                 "a hash:\n",
                 static_cast<long long>(token->info.id), token->info.name.c_str(),
                 api::scope_name(token->info.scope));
    std::fwrite(token->secret.data(), 1, token->secret.size(), stdout);
    std::fputc('\n', stdout);
    return kExitOk;
}

int run_list(const TokenOptions& opt) {
    auto store = open_store(opt);
    if (!store) return kExitFailure;
    auto tokens = store->tokens();
    if (!tokens) {
        print_error(tokens.error());
        return kExitFailure;
    }
    std::printf("%-5s %-6s %-21s %-21s %s\n", "ID", "SCOPE", "CREATED", "REVOKED", "NAME");
    for (const auto& t : *tokens)
        std::printf("%-5lld %-6s %-21s %-21s %s\n", static_cast<long long>(t.id),
                    api::scope_name(t.scope), time_text(t.created).c_str(),
                    t.revoked ? time_text(*t.revoked).c_str() : "-", t.name.c_str());
    return kExitOk;
}

int run_revoke(const TokenOptions& opt) {
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(opt.id.data(), opt.id.data() + opt.id.size(), id);
    if (ec != std::errc{} || end != opt.id.data() + opt.id.size()) {
        std::fprintf(stderr, "error: a token id is a number (see `vpngw token list`)\n");
        return kExitUsage;
    }
    auto store = open_store(opt);
    if (!store) return kExitFailure;
    auto revoked = store->revoke_token(id, now_seconds());
    if (!revoked) {
        print_error(revoked.error());
        return kExitFailure;
    }
    if (!*revoked) {
        std::fprintf(stderr, "error: no live token %s\n", opt.id.c_str());
        return kExitFailure;
    }
    std::fprintf(stderr, "token %s revoked; its browser sessions end with it\n", opt.id.c_str());
    return kExitOk;
}

// "24h", "30m", "7d", "90s" or plain seconds.
std::optional<std::int64_t> parse_ttl(const std::string& text) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || n <= 0) return std::nullopt;
    const std::string unit(end, text.data() + text.size());
    if (unit.empty() || unit == "s") return n;
    if (unit == "m") return n * 60;
    if (unit == "h") return n * 3600;
    if (unit == "d") return n * 86400;
    return std::nullopt;
}

int run_link(const TokenOptions& opt) {
    auto ttl = parse_ttl(opt.ttl);
    if (!ttl || *ttl > 30 * 86400) {
        std::fprintf(stderr, "error: --ttl is like 24h, 30m or 7d (30 days at most)\n");
        return kExitUsage;
    }
    Diagnostics diags;
    auto session = gateway::open_session(opt.gateway, gateway::LockMode::none, diags);
    if (!session) {
        print_diagnostics(diags);
        print_error(session.error());
        return kExitFailure;
    }
    // Only a peer whose config vpngw keeps can get a link.
    if (auto config = gateway::stored_client_config(*session, opt.peer); !config) {
        print_error(config.error());
        return kExitFailure;
    }
    auto store = open_store(opt);
    if (!store) return kExitFailure;
    auto link = store->create_link(opt.peer, *ttl, now_seconds());
    if (!link) {
        print_error(link.error());
        return kExitFailure;
    }
    std::string base = opt.url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    std::fprintf(stderr, "one-time link for %s, valid until %s (once):\n", opt.peer.c_str(),
                 time_text(link->expires).c_str());
    if (base.empty())
        std::fprintf(stderr, "(give --url https://HOST:PORT of `vpngw serve` for a full link)\n");
    std::printf("%s/l/%s\n", base.c_str(), link->secret.str().c_str());
    return kExitOk;
}

std::vector<Option> state_options(TokenOptions& opt) {
    return {
        {.names = "--profile",
         .target = &opt.gateway.profile_path,
         .help = "Profile file",
         .show_default = true,
         .env = "VPNGW_PROFILE"},
        {.names = "--state-dir",
         .target = &opt.gateway.state_dir,
         .help = "State directory (default: the profile's)"},
    };
}

}  // namespace

std::vector<Command> token_commands() {
    auto opt = std::make_shared<TokenOptions>();
    opt->gateway.profile_path = "/etc/vpngw/vpngw.toml";
    auto with_state = [&](std::vector<Option> first) {
        for (auto& o : state_options(*opt)) first.push_back(std::move(o));
        return first;
    };
    Command create{
        .name = "create",
        .help = "Make an API token (printed once, stored hashed)",
        .footer = "Example:\n  vpngw token create --scope write --name ansible > ansible.token",
        .options = with_state({{.names = "--scope",
                                .target = &opt->scope,
                                .help = "read: look; write: also add, remove, see configs",
                                .show_default = true,
                                .check = Check::one_of({"read", "write"})},
                               {.names = "--name",
                                .target = &opt->name,
                                .help = "What the token is for",
                                .show_default = true}}),
        .action = [opt] { return run_create(*opt); },
    };
    Command list{
        .name = "list",
        .help = "List API tokens (never their secrets)",
        .footer = "Example:\n  vpngw token list",
        .options = with_state({}),
        .action = [opt] { return run_list(*opt); },
    };
    Command revoke{
        .name = "revoke",
        .help = "Revoke an API token at once",
        .footer = "Example:\n  vpngw token revoke 3",
        .options =
            with_state({{.names = "id", .target = &opt->id, .help = "Token id", .required = true}}),
        .action = [opt] { return run_revoke(*opt); },
    };
    return {{
        .name = "token",
        .help = "Admin tokens for `vpngw serve`",
        .footer = "Example:\n  vpngw token create --scope read --name grafana",
        .subcommands = {std::move(create), std::move(list), std::move(revoke)},
    }};
}

Command peer_link_command() {
    auto opt = std::make_shared<TokenOptions>();
    opt->gateway.profile_path = "/etc/vpngw/vpngw.toml";
    std::vector<Option> options = {
        {.names = "name", .target = &opt->peer, .help = "Peer name", .required = true},
        {.names = "--ttl",
         .target = &opt->ttl,
         .help = "How long the link works (24h, 30m, 7d; 30d at most)",
         .show_default = true},
        {.names = "--url",
         .target = &opt->url,
         .help = "Base URL of `vpngw serve`, e.g. https://vpn.example.com:8443",
         .env = "VPNGW_URL"},
    };
    for (auto& o : state_options(*opt)) options.push_back(std::move(o));
    return Command{
        .name = "link",
        .help = "A one-time link that shows the peer's config and QR once",
        .footer =
            "Example:\n  vpngw peer link alice-phone --ttl 24h --url https://vpn.example.com:8443",
        .options = std::move(options),
        .action = [opt] { return run_link(*opt); },
    };
}

}  // namespace vpngw::cli
