#include "api/api.hpp"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>
#include <string_view>
#include <utility>

#include "api/assets.hpp"
#include "api/routes.hpp"
#include "escape/escape.hpp"
#include "gateway/peers.hpp"
#include "gateway/status.hpp"
#include "json/values.hpp"
#include "model/peer_limits.hpp"
#include "qr/qr.hpp"
#include "registry/peer_text.hpp"
#include "store/state_dir_check.hpp"
#include "store/state_paths.hpp"

namespace vpngw::api {
namespace {

using json::Json;

constexpr std::string_view kCookie = "vpngw_session";
constexpr std::int64_t kDefaultLinkTtl = 24 * 3600;
constexpr std::int64_t kMaxLinkTtl = 30 * 24 * 3600;

// The page loads only its own script, style and images (the QR code comes
// as a data: or same-origin image); no inline script can run, so a name that
// slipped through as markup would still do nothing.
constexpr const char* kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

std::int64_t system_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

http::Response json_response(int status, const Json& body) {
    http::Response r;
    r.status = status;
    r.content_type = "application/json";
    r.body = body.dump() + "\n";
    return r;
}

// Errors are JSON with a stable code for programs and a message for people.
// The message never carries a secret: it names peers, groups and files.
http::Response error(int status, std::string code, std::string message) {
    return json_response(
        status, Json{{"error", {{"code", std::move(code)}, {"message", std::move(message)}}}});
}

http::Response text(int status, std::string body, std::string type) {
    http::Response r;
    r.status = status;
    r.body = std::move(body);
    r.content_type = std::move(type);
    return r;
}

// A small page for a one-time link that cannot be used (any more): no data
// from the request reaches it but the status line.
http::Response link_refusal(int status, std::string_view what) {
    const std::string body =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>vpngw: link " +
        escape::html(what) +
        "</title><link rel=\"icon\" href=\"data:,\"><link rel=\"stylesheet\" "
        "href=\"/app.css\"></head><body><main class=\"narrow\">"
        "<h1>This link " +
        escape::html(what) +
        "</h1><p id=\"link-status\">One-time links work once. Ask your administrator for a new "
        "one.</p></main></body></html>\n";
    return text(status, body, "text/html; charset=utf-8");
}

std::string cookie_value(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const auto semi = header.find(';');
        auto part = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        if (part.size() > name.size() && part.substr(0, name.size()) == name &&
            part[name.size()] == '=')
            return std::string(part.substr(name.size() + 1));
    }
    return "";
}

std::optional<std::string> bearer(std::string_view header) {
    constexpr std::string_view scheme = "bearer ";
    if (header.size() <= scheme.size()) return std::nullopt;
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return std::nullopt;
    return std::string(header.substr(scheme.size()));
}

bool is_change(std::string_view method) {
    return method != "GET" && method != "HEAD";
}

std::string content_type_of(std::string_view name) {
    if (name.ends_with(".html")) return "text/html; charset=utf-8";
    if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
    if (name.ends_with(".css")) return "text/css; charset=utf-8";
    if (name.ends_with(".json")) return "application/json";
    return "application/octet-stream";
}

// A peer as the API shows it: `peer list --json`'s fields, lifecycle included.
Json peer_json(const gateway::PeerListEntry& p, std::int64_t now) {
    return json::peer_value(p, now);
}

std::string interface_of(const model::Profile& profile, const std::string& group) {
    for (const auto& g : profile.groups)
        if (g.name == group) return g.interface;
    return "";
}

// A JSON request body: an object, or an error response.
std::optional<http::Response> parse_object(const std::string& body, Json& out) {
    out = Json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (out.is_discarded()) return error(400, "invalid_json", "the request body is not JSON");
    if (!out.is_object())
        return error(400, "invalid_json", "the request body must be a JSON object");
    return std::nullopt;
}

// Fields of `object` that are not in `known`: a typo must not be ignored.
std::optional<http::Response> unknown_fields(const Json& object,
                                             std::initializer_list<std::string_view> known) {
    for (const auto& [key, value] : object.items())
        if (std::find(known.begin(), known.end(), key) == known.end())
            return error(400, "invalid_field", "unknown field \"" + key + "\"");
    return std::nullopt;
}

}  // namespace

struct Api::Caller {
    bool authenticated = false;
    Scope scope = Scope::read;
    std::int64_t token_id = 0;
    bool via_cookie = false;
    std::string token_name;

    // Who the audit trail names for a change made through the API.
    std::string audit_user() const {
        return "api token " + std::to_string(token_id) + " (" + token_name + ")";
    }
};

// The handlers of the routes, with the Api's state.
class Api::Handlers {
  public:
    Handlers(Api& api, const http::Request& req, std::int64_t now)
        : api_(api), req_(req), now_(now) {}

    http::Response run(const Match& m, const Caller& caller) {
        const auto& p = m.params;
        switch (m.route->id) {
            case RouteId::page_index:
                return asset("index.html");
            case RouteId::page_app_js:
                return asset("app.js");
            case RouteId::page_app_css:
                return asset("app.css");
            case RouteId::page_link_js:
                return asset("link.js");
            case RouteId::link_page:
                return link_page(p.at("secret"));
            case RouteId::openapi:
                return asset("openapi.json");
            case RouteId::session_create:
                return session_create();
            case RouteId::session_delete:
                return session_delete();
            case RouteId::link_redeem:
                return link_redeem();
            case RouteId::status:
                return status();
            case RouteId::peers_list:
                return peers_list();
            case RouteId::peers_add:
                return peers_add(caller);
            case RouteId::peer_get:
                return peer_get(p.at("name"));
            case RouteId::peer_remove:
                return peer_remove(p.at("name"), caller);
            case RouteId::peer_config:
                return peer_config(p.at("name"));
            case RouteId::peer_qr_png:
                return peer_qr(p.at("name"), true);
            case RouteId::peer_qr_svg:
                return peer_qr(p.at("name"), false);
            case RouteId::peer_link:
                return peer_link(p.at("name"));
            case RouteId::log:
                return log();
            case RouteId::peer_edit:
                return peer_edit(p.at("name"), caller);
            case RouteId::peer_disable:
                return peer_change(p.at("name"), "disable", caller);
            case RouteId::peer_enable:
                return peer_change(p.at("name"), "enable", caller);
            case RouteId::peer_rotate:
                return peer_change(p.at("name"), "rotate", caller);
        }
        return error(500, "internal", "unhandled route");
    }

  private:
    http::Response asset(std::string_view name) {
        const Asset* a = find_asset(name);
        if (!a) return error(500, "internal", "missing asset");
        return text(200, std::string(a->text), content_type_of(name));
    }

    // ---- sessions ----

    http::Response session_create() {
        if (auto wait = api_.failures_.blocked_for(req_.remote_ip, now_)) return too_many(wait);
        Json body;
        if (auto bad = parse_object(req_.body, body)) return *bad;
        if (auto bad = unknown_fields(body, {"token"})) return *bad;
        if (!body.contains("token") || !body["token"].is_string())
            return error(400, "invalid_field", "\"token\" must be a string");
        std::string token = body["token"].get<std::string>();
        auto found = find_token(token);
        sodium_memzero(token.data(), token.size());
        if (!found) return error(500, "internal", found.error().str());
        if (!*found) {
            api_.failures_.failed(req_.remote_ip, now_);
            return error(401, "unauthorized", "unknown or revoked token");
        }
        auto made = api_.sessions_.create(**found, now_);
        auto r = json_response(201, Json{{"csrf", made.csrf.str()},
                                         {"scope", scope_name(made.session.scope)},
                                         {"expires", made.session.expires}});
        r.set_header("Set-Cookie", std::string(kCookie) + "=" + made.id.str() +
                                       "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                                       std::to_string(SessionTable::kLifetime) +
                                       (req_.tls ? "; Secure" : ""));
        return r;
    }

    http::Response session_delete() {
        api_.sessions_.remove(cookie_value(req_.header("Cookie"), kCookie));
        auto r = text(204, "", "text/plain");
        r.set_header("Set-Cookie",
                     std::string(kCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        return r;
    }

    // ---- one-time links ----

    http::Response link_page(const std::string& secret) {
        if (auto wait = api_.failures_.blocked_for(req_.remote_ip, now_)) return too_many(wait);
        auto info = look_link(secret);
        if (!info) return error(500, "internal", info.error().str());
        switch (info->state) {
            case LinkInfo::State::unknown:
                api_.failures_.failed(req_.remote_ip, now_);
                return link_refusal(404, "does not exist");
            case LinkInfo::State::used:
                return link_refusal(410, "was already used");
            case LinkInfo::State::expired:
                return link_refusal(410, "has expired");
            case LinkInfo::State::valid:
                break;
        }
        return asset("link.html");
    }

    http::Response link_redeem() {
        if (auto wait = api_.failures_.blocked_for(req_.remote_ip, now_)) return too_many(wait);
        Json body;
        if (auto bad = parse_object(req_.body, body)) return *bad;
        if (auto bad = unknown_fields(body, {"secret"})) return *bad;
        if (!body.contains("secret") || !body["secret"].is_string())
            return error(400, "invalid_field", "\"secret\" must be a string");
        const std::string secret = body["secret"].get<std::string>();
        auto info = look_link(secret);
        if (!info) return error(500, "internal", info.error().str());
        if (info->state == LinkInfo::State::unknown) {
            api_.failures_.failed(req_.remote_ip, now_);
            return error(404, "link_not_found", "no such link");
        }
        if (info->state != LinkInfo::State::valid)
            return error(410, "link_gone",
                         info->state == LinkInfo::State::used ? "this link was already used"
                                                              : "this link has expired");
        // The config first, the link used second: a config that cannot be
        // read must not burn the link.
        auto session = read_session();
        if (!session) return *session.error_response;
        auto config = gateway::stored_client_config(*session.value, info->peer);
        if (!config) return error(404, "peer_not_found", config.error().message);
        auto qr = qr::encode(config->view());
        if (!qr) return error(500, "internal", qr.error().message);
        auto png = qr::render_png(*qr);
        if (!png) return error(500, "internal", png.error().message);
        auto used = redeem(secret);
        if (!used) return error(500, "internal", used.error().str());
        if (used->state != LinkInfo::State::valid)  // another request was first
            return error(410, "link_gone", "this link was already used");
        auto r = json_response(200, Json{{"name", info->peer},
                                         {"config", config->str()},
                                         {"qr_png", escape::base64(png->view())}});
        return r;
    }

    // ---- the gateway ----

    // A read-only session (no lock), or the response that says why not.
    struct SessionOrError {
        std::optional<gateway::Session> value;
        std::optional<http::Response> error_response;
        explicit operator bool() const { return value.has_value(); }
    };

    SessionOrError open(gateway::LockMode lock, gateway::StoredPeers stored) {
        Diagnostics diags;
        auto s = gateway::open_session(api_.options_.gateway, lock, diags, stored);
        if (s) return {std::move(*s), std::nullopt};
        std::string message = s.error().str();
        for (const auto& d : diags.all())
            if (d.severity == Severity::error) message += "\n" + d.str();
        return {std::nullopt, error(500, "gateway_unavailable", message)};
    }
    // Without the registry's peers merged: the reads below ask the registry
    // for the one peer they need or list them one at a time.
    SessionOrError read_session(gateway::StoredPeers stored = gateway::StoredPeers::none) {
        return open(gateway::LockMode::none, stored);
    }
    // The state lock held, like `vpngw peer add`; the audit trail names the token.
    SessionOrError change_session(const Caller& caller) {
        auto s = open(gateway::LockMode::exclusive, gateway::StoredPeers::none);
        if (s) s.value->user = caller.audit_user();
        return s;
    }
    static std::chrono::sys_seconds seconds_of(std::int64_t t) {
        return std::chrono::sys_seconds{std::chrono::seconds{t}};
    }
    std::chrono::sys_seconds seconds() const { return seconds_of(now_); }

    http::Response status() {
        gateway::StatusOptions so;
        so.drift = req_.param("drift") == "1";
        // The drift plan needs every peer; the listing reads the registry's one at a time.
        auto session =
            read_session(so.drift ? gateway::StoredPeers::merged : gateway::StoredPeers::none);
        if (!session) return *session.error_response;
        auto live = api_.options_.live();
        return json_response(200,
                             json::status_value(gateway::gather_status(*session.value, *live, so)));
    }

    http::Response peers_list() {
        auto session = read_session();
        if (!session) return *session.error_response;
        auto live = api_.options_.live();
        const std::string q = req_.param("q");
        Json peers = Json::array();
        const auto listing =
            gateway::list_peers(*session.value, *live, {}, [&](gateway::PeerListEntry&& p) {
                if (q.empty() || p.name.find(q) != std::string::npos ||
                    p.group.find(q) != std::string::npos)
                    peers.push_back(peer_json(p, now_));
            });
        if (!listing) return gateway_error(listing.error());
        return json_response(200, Json{{"peers", peers}, {"notes", listing->notes}});
    }

    http::Response peer_get(const std::string& name) {
        auto session = read_session();
        if (!session) return *session.error_response;
        auto live = api_.options_.live();
        gateway::PeerFilter one;
        one.name = name;
        std::optional<Json> found;
        const auto listing =
            gateway::list_peers(*session.value, *live, one,
                                [&](gateway::PeerListEntry&& p) { found = peer_json(p, now_); });
        if (!listing) return gateway_error(listing.error());
        if (found) return json_response(200, *found);
        return error(404, "peer_not_found", "no peer named \"" + name + "\"");
    }

    http::Response peers_add(const Caller& caller) {
        Json body;
        if (auto bad = parse_object(req_.body, body)) return *bad;
        if (auto bad = unknown_fields(body, {"name", "group", "public_key", "preshared_key"}))
            return *bad;
        gateway::AddPeerRequest request;
        for (const char* field : {"name", "group"})
            if (!body.contains(field) || !body[field].is_string())
                return error(400, "invalid_field",
                             std::string("\"") + field + "\" must be a string");
        request.name = body["name"].get<std::string>();
        request.group = body["group"].get<std::string>();
        if (!store::is_valid_name(request.name))
            return error(400, "invalid_name",
                         "a peer name is 1 to 15 of A-Z a-z 0-9 _ . = + - and does not start "
                         "with '-' or '.'");
        if (body.contains("public_key")) {
            if (!body["public_key"].is_string())
                return error(400, "invalid_field", "\"public_key\" must be a string");
            request.public_key = PublicKey::from_base64(body["public_key"].get<std::string>());
            if (!request.public_key)
                return error(
                    400, "invalid_public_key",
                    "\"public_key\" must be 44 characters of base64 (what `wg pubkey` prints)");
        }
        if (body.contains("preshared_key")) {
            if (!body["preshared_key"].is_boolean())
                return error(400, "invalid_field", "\"preshared_key\" must be true or false");
            request.preshared_key = body["preshared_key"].get<bool>();
        }
        std::lock_guard turn(api_.change_mutex_);
        auto session = change_session(caller);
        if (!session) return *session.error_response;
        auto live = api_.options_.live();
        auto report = gateway::add_peer(*session.value, request, *live);
        if (!report) return gateway_error(report.error());
        Json peer = peer_json(gateway::entry_of(report->peer, report->interface, seconds()), now_);
        auto r = json_response(201, Json{{"peer", peer},
                                         {"applied", report->live.applied},
                                         {"note", report->live.note},
                                         {"server_made_key", report->server_made_key}});
        r.set_header("Location", "/api/v1/peers/" + report->peer.name);
        return r;
    }

    http::Response peer_remove(const std::string& name, const Caller& caller) {
        std::lock_guard turn(api_.change_mutex_);
        auto session = change_session(caller);
        if (!session) return *session.error_response;
        auto live = api_.options_.live();
        auto report = gateway::remove_peer(*session.value, name, *live);
        if (!report) return gateway_error(report.error());
        // A link made for the removed peer must not hand out its old config.
        {
            std::lock_guard lock(api_.store_mutex_);
            (void)api_.store_.forget_links(name, now_);
        }
        return json_response(200, Json{{"removed", name},
                                       {"applied", report->live.applied},
                                       {"note", report->live.note}});
    }

    http::Response peer_config(const std::string& name) {
        auto session = read_session();
        if (!session) return *session.error_response;
        auto config = gateway::stored_client_config(*session.value, name);
        if (!config) return gateway_error(config.error());
        auto r = text(200, config->str(), "text/plain; charset=utf-8");
        r.set_header("Content-Disposition", "attachment; filename=\"" + name + ".conf\"");
        return r;
    }

    http::Response peer_qr(const std::string& name, bool png) {
        auto session = read_session();
        if (!session) return *session.error_response;
        auto config = gateway::stored_client_config(*session.value, name);
        if (!config) return gateway_error(config.error());
        auto matrix = qr::encode(config->view());
        if (!matrix) return error(500, "internal", matrix.error().message);
        if (!png) return text(200, qr::render_svg(*matrix).str(), "image/svg+xml");
        auto image = qr::render_png(*matrix);
        if (!image) return error(500, "internal", image.error().message);
        return text(200, image->str(), "image/png");
    }

    http::Response peer_link(const std::string& name) {
        Json body = Json::object();
        if (!req_.body.empty())
            if (auto bad = parse_object(req_.body, body)) return *bad;
        if (auto bad = unknown_fields(body, {"ttl_seconds"})) return *bad;
        std::int64_t ttl = kDefaultLinkTtl;
        if (body.contains("ttl_seconds")) {
            if (!body["ttl_seconds"].is_number_integer())
                return error(400, "invalid_field", "\"ttl_seconds\" must be an integer");
            ttl = body["ttl_seconds"].get<std::int64_t>();
        }
        if (ttl < 60 || ttl > kMaxLinkTtl)
            return error(400, "invalid_ttl",
                         "\"ttl_seconds\" must be between 60 and 2592000 (30 days)");
        auto session = read_session();
        if (!session) return *session.error_response;
        auto config = gateway::stored_client_config(*session.value, name);
        if (!config) return gateway_error(config.error());
        std::lock_guard lock(api_.store_mutex_);
        auto link = api_.store_.create_link(name, ttl, now_);
        if (!link) return error(500, "internal", link.error().str());
        return json_response(
            201, Json{{"path", "/l/" + link->secret.str()}, {"expires", link->expires}});
    }

    // disable, enable, rotate: one peer, one change, under the state lock.
    http::Response peer_change(const std::string& name, std::string_view action,
                               const Caller& caller) {
        Json body = Json::object();
        if (!req_.body.empty())
            if (auto bad = parse_object(req_.body, body)) return *bad;
        bool psk_only = false;
        if (action == "rotate") {
            if (auto bad = unknown_fields(body, {"psk_only"})) return *bad;
            if (body.contains("psk_only")) {
                if (!body["psk_only"].is_boolean())
                    return error(400, "invalid_field", "\"psk_only\" must be true or false");
                psk_only = body["psk_only"].get<bool>();
            }
        } else if (auto bad = unknown_fields(body, {})) {
            return *bad;
        }
        std::lock_guard turn(api_.change_mutex_);
        auto session = change_session(caller);
        if (!session) return *session.error_response;
        auto live = api_.options_.live();
        auto report = action == "disable" ? gateway::disable_peer(*session.value, name, *live)
                      : action == "enable"
                          ? gateway::enable_peer(*session.value, name, *live)
                          : gateway::rotate_peer(*session.value, name, psk_only, *live);
        if (!report) return gateway_error(report.error());
        return change_response(*session.value, *report);
    }

    // PATCH: the fields of `vpngw peer edit`, each optional; null clears
    // expires, quota and rate.
    http::Response peer_edit(const std::string& name, const Caller& caller) {
        Json body;
        if (auto bad = parse_object(req_.body, body)) return *bad;
        if (auto bad = unknown_fields(body, {"name", "group", "addresses", "expires", "quota",
                                             "rate", "add_networks", "remove_networks"}))
            return *bad;
        gateway::EditPeerRequest edit;
        edit.name = name;
        auto text = [&](const char* field) -> std::optional<std::string> {
            return body.contains(field) && body[field].is_string()
                       ? std::optional<std::string>(body[field].get<std::string>())
                       : std::nullopt;
        };
        auto bad_field = [](const std::string& field, const std::string& why) {
            return error(400, "invalid_field", "\"" + field + "\" " + why);
        };
        for (const char* field : {"name", "group"})
            if (body.contains(field) && !body[field].is_string())
                return bad_field(field, "must be a string");
        if (auto rename = text("name")) {
            if (!store::is_valid_name(*rename))
                return error(400, "invalid_name",
                             "a peer name is 1 to 15 of A-Z a-z 0-9 _ . = + - and does not start "
                             "with '-' or '.'");
            edit.rename = *rename;
        }
        if (auto group = text("group")) edit.group = *group;
        // Lists of addresses or prefixes, each parsed.
        auto list = [&](const char* field, auto parse, auto& out) -> std::optional<http::Response> {
            if (!body.contains(field)) return std::nullopt;
            if (!body[field].is_array()) return bad_field(field, "must be a list of strings");
            for (const auto& item : body[field]) {
                if (!item.is_string()) return bad_field(field, "must be a list of strings");
                auto parsed = parse(item.template get<std::string>());
                if (!parsed)
                    return bad_field(
                        field, "has an invalid entry \"" + item.template get<std::string>() + "\"");
                out.push_back(*parsed);
            }
            return std::nullopt;
        };
        if (auto bad = list(
                "addresses", [](const std::string& t) { return IpAddress::parse(t); },
                edit.addresses))
            return *bad;
        if (auto bad = list(
                "add_networks", [](const std::string& t) { return Prefix::parse(t); },
                edit.add_networks))
            return *bad;
        if (auto bad = list(
                "remove_networks", [](const std::string& t) { return Prefix::parse(t); },
                edit.remove_networks))
            return *bad;
        // expires, quota, rate: a string in `peer edit`'s forms, or null to clear.
        auto limit = [&](const char* field, auto parse,
                         auto& out) -> std::optional<http::Response> {
            if (!body.contains(field)) return std::nullopt;
            if (body[field].is_null()) {
                out.emplace(std::nullopt);
                return std::nullopt;
            }
            if (!body[field].is_string()) return bad_field(field, "must be a string or null");
            auto parsed = parse(body[field].template get<std::string>());
            if (!parsed) return bad_field(field, ": " + parsed.error().message);
            out.emplace(*parsed);
            return std::nullopt;
        };
        const auto now = seconds();
        if (auto bad = limit(
                "expires", [now](const std::string& t) { return model::parse_expiry(t, now); },
                edit.expires))
            return *bad;
        if (auto bad = limit(
                "quota", [](const std::string& t) { return model::parse_quota(t); }, edit.quota))
            return *bad;
        if (auto bad = limit(
                "rate", [](const std::string& t) { return model::parse_rate(t); }, edit.rate_bits))
            return *bad;

        std::lock_guard turn(api_.change_mutex_);
        auto session = change_session(caller);
        if (!session) return *session.error_response;
        auto live = api_.options_.live();
        auto report = gateway::edit_peer(*session.value, edit, *live);
        if (!report) return gateway_error(report.error());
        if (report->after.name != name) {  // links name the peer: a renamed one's are void
            std::lock_guard lock(api_.store_mutex_);
            (void)api_.store_.forget_links(name, now_);
        }
        return change_response(*session.value, *report);
    }

    http::Response change_response(const gateway::Session& session,
                                   const gateway::PeerChangeReport& r) {
        Json peer = peer_json(
            gateway::entry_of(r.after, interface_of(session.profile, r.after.group), seconds()),
            now_);
        return json_response(200, Json{{"peer", peer},
                                       {"applied", r.live.applied},
                                       {"note", r.live.note},
                                       {"config_changed", r.config_changed},
                                       {"notes", r.notes}});
    }

    // The audit trail, oldest first: ?peer=NAME&since=UNIX_SECONDS.
    http::Response log() {
        registry::AuditFilter filter;
        if (const auto peer = req_.param("peer"); !peer.empty()) filter.peer = peer;
        if (const auto since = req_.param("since"); !since.empty()) {
            std::int64_t t = 0;
            auto [end, ec] = std::from_chars(since.data(), since.data() + since.size(), t);
            if (ec != std::errc{} || end != since.data() + since.size())
                return error(400, "invalid_field", "\"since\" is unix seconds");
            filter.since = seconds_of(t);
        }
        auto session = read_session();
        if (!session) return *session.error_response;
        auto entries = gateway::peer_log(*session.value, filter);
        if (!entries) return error(500, "gateway_error", entries.error().str());
        Json out = Json::array();
        for (const auto& e : *entries)
            out.push_back({{"time", e.time.time_since_epoch().count()},
                           {"user", e.user},
                           {"command", e.command},
                           {"peer", e.peer},
                           {"fields", e.fields}});
        return json_response(200, Json{{"entries", out}});
    }

    // A gateway error as a response: the cases a client can act on get their
    // own status and code, the rest is the gateway's failure (500).
    static http::Response gateway_error(const Error& e) {
        const std::string& m = e.message;
        auto has = [&m](std::string_view part) { return m.find(part) != std::string::npos; };
        if (m.starts_with("no peer named")) return error(404, "peer_not_found", m);
        if (m.starts_with("invalid peer name")) return error(400, "invalid_name", m);
        if (has("in the profile (groups:") || m.starts_with("no WireGuard group"))
            return error(400, "unknown_group", m);
        if (m.starts_with("--address") || m.starts_with("--no-network"))
            return error(400, "invalid_field", m);
        if (has("already exists") || has("already declared") || has("already belongs") ||
            has("is declared in the profile") || has("is disabled already") ||
            has("is enabled already") || has("\" expired at "))
            return error(409, "conflict", m);
        if (has("is full")) return error(409, "subnet_full", m);
        return error(500, "gateway_error", e.str());
    }

    // ---- helpers ----

    http::Response too_many(std::int64_t wait) {
        auto r = error(429, "rate_limited", "too many failed attempts; try again later");
        r.set_header("Retry-After", std::to_string(wait));
        return r;
    }

    Result<std::optional<TokenInfo>> find_token(std::string_view secret) {
        std::lock_guard lock(api_.store_mutex_);
        return api_.store_.find_token(secret);
    }
    Result<LinkInfo> look_link(std::string_view secret) {
        std::lock_guard lock(api_.store_mutex_);
        return api_.store_.look_link(secret, now_);
    }
    Result<LinkInfo> redeem(std::string_view secret) {
        std::lock_guard lock(api_.store_mutex_);
        return api_.store_.redeem_link(secret, now_);
    }

    Api& api_;
    const http::Request& req_;
    std::int64_t now_;
};

Result<std::string> state_dir_of(const gateway::Options& options) {
    Diagnostics diags;
    auto s =
        gateway::open_session(options, gateway::LockMode::none, diags, gateway::StoredPeers::none);
    if (!s) {
        std::string message = s.error().message;
        for (const auto& d : diags.all())
            if (d.severity == Severity::error) message += "\n" + d.str();
        return Error{message, s.error().where};
    }
    // The state directory's checks and creation, as `peer add` does them:
    // tokens can be made before the first peer.
    if (auto st = store::prepare_state_dir(s->paths.dir); !st) return st.error();
    return s->paths.dir;
}

Result<std::unique_ptr<Api>> Api::open(ApiOptions options) {
    if (!options.clock) options.clock = system_now;
    if (!options.live) {
        auto gw = options.gateway;
        options.live = [gw] { return gateway::system_gateway(gw); };
    }
    auto dir = state_dir_of(options.gateway);
    if (!dir) return dir.error();
    auto store = Store::open(store::StatePaths{*dir}.api_db_file());
    if (!store) return store.error();
    return std::unique_ptr<Api>(new Api(std::move(options), std::move(*store)));
}

std::string_view Api::openapi_document() {
    const Asset* a = find_asset("openapi.json");
    return a ? a->text : std::string_view{};
}

http::Response Api::handle(const http::Request& req) {
    const std::int64_t now = options_.clock();
    Match m;
    const MatchResult found = match_route(req.method, req.path, m);
    http::Response res;
    Caller caller;
    if (found == MatchResult::not_found) {
        res = error(404, "not_found", "no such route");
    } else if (found == MatchResult::wrong_method) {
        res = error(405, "method_not_allowed", "this route does not take " + req.method);
    } else {
        std::optional<http::Response> refused;
        if (m.route->access != Access::open) {
            refused = authenticate(req, now, caller);
            if (!refused && m.route->access == Access::write && caller.scope != Scope::write)
                refused = error(403, "forbidden", "this needs a token of scope write");
        }
        res = refused ? std::move(*refused) : Handlers(*this, req, now).run(m, caller);
    }

    // Every response: nothing cached that could hold a config or a token,
    // nothing framed, sniffed or sent on as a referrer.
    res.set_header("Content-Security-Policy", kCsp);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Cache-Control", "no-store");
    if (req.tls) res.set_header("Strict-Transport-Security", "max-age=31536000");

    if (options_.log) {
        // The route's pattern, not the path: a one-time link's secret is in its path.
        const std::string route = m.route ? m.route->pattern : "(no route)";
        const std::string who = caller.authenticated
                                    ? (caller.via_cookie ? "session of token " : "token ") +
                                          std::to_string(caller.token_id)
                                    : "-";
        options_.log(req.remote_ip + " " + req.method + " " + route + " " +
                     std::to_string(res.status) + " " + who);
    }
    return res;
}

// Who the caller is: a bearer token, or a browser session (whose changes
// must carry its CSRF token). nullopt: authenticated, `caller` filled in.
std::optional<http::Response> Api::authenticate(const http::Request& req, std::int64_t now,
                                                Caller& caller) {
    if (auto wait = failures_.blocked_for(req.remote_ip, now)) {
        auto r = error(429, "rate_limited", "too many failed attempts; try again later");
        r.set_header("Retry-After", std::to_string(wait));
        return r;
    }
    const std::string authorization = req.header("Authorization");
    if (!authorization.empty()) {
        auto secret = bearer(authorization);
        std::optional<TokenInfo> token;
        if (secret) {
            std::lock_guard lock(store_mutex_);
            auto found = store_.find_token(*secret);
            sodium_memzero(secret->data(), secret->size());
            if (!found) return error(500, "internal", found.error().str());
            token = *found;
        }
        if (!token) {
            failures_.failed(req.remote_ip, now);
            auto r = error(401, "unauthorized", "unknown or revoked token");
            r.set_header("WWW-Authenticate", "Bearer realm=\"vpngw\"");
            return r;
        }
        caller = Caller{true, token->scope, token->id, false, token->name};
        return std::nullopt;
    }
    const std::string cookie = cookie_value(req.header("Cookie"), kCookie);
    if (cookie.empty()) {
        auto r = error(401, "unauthorized", "log in with an API token");
        r.set_header("WWW-Authenticate", "Bearer realm=\"vpngw\"");
        return r;
    }
    auto session = sessions_.find(cookie, now);
    std::string token_name;
    if (session) {  // the token behind it may have been revoked since
        std::lock_guard lock(store_mutex_);
        auto token = store_.token_by_id(session->token_id);
        if (!token) return error(500, "internal", token.error().str());
        if (!*token) {
            sessions_.remove(cookie);
            session.reset();
        } else {
            token_name = (*token)->name;
        }
    }
    if (!session) return error(401, "session_expired", "the session has ended; log in again");
    if (is_change(req.method) && !secret_matches(req.header("X-CSRF-Token"), session->csrf_hash))
        return error(403, "csrf_failed", "the request lacks this session's X-CSRF-Token");
    caller = Caller{true, session->scope, session->token_id, true, token_name};
    return std::nullopt;
}

}  // namespace vpngw::api
