#include "api/routes.hpp"

#include <array>
#include <vector>

namespace vpngw::api {
namespace {

constexpr Route kRoutes[] = {
    {RouteId::page_index, "GET", "/", Access::open, false},
    {RouteId::page_app_js, "GET", "/app.js", Access::open, false},
    {RouteId::page_app_css, "GET", "/app.css", Access::open, false},
    {RouteId::page_link_js, "GET", "/link.js", Access::open, false},
    {RouteId::link_page, "GET", "/l/{secret}", Access::open, false},
    {RouteId::openapi, "GET", "/api/v1/openapi.json", Access::open, true},
    {RouteId::session_create, "POST", "/api/v1/session", Access::open, true},
    {RouteId::session_delete, "DELETE", "/api/v1/session", Access::read, true},
    {RouteId::link_redeem, "POST", "/api/v1/links/redeem", Access::open, true},
    {RouteId::status, "GET", "/api/v1/status", Access::read, true},
    {RouteId::log, "GET", "/api/v1/log", Access::read, true},
    {RouteId::peers_list, "GET", "/api/v1/peers", Access::read, true},
    {RouteId::peers_add, "POST", "/api/v1/peers", Access::write, true},
    {RouteId::peer_get, "GET", "/api/v1/peers/{name}", Access::read, true},
    {RouteId::peer_edit, "PATCH", "/api/v1/peers/{name}", Access::write, true},
    {RouteId::peer_remove, "DELETE", "/api/v1/peers/{name}", Access::write, true},
    {RouteId::peer_disable, "POST", "/api/v1/peers/{name}/disable", Access::write, true},
    {RouteId::peer_enable, "POST", "/api/v1/peers/{name}/enable", Access::write, true},
    {RouteId::peer_rotate, "POST", "/api/v1/peers/{name}/rotate", Access::write, true},
    // The config and its QR code hold the client's private key: write scope.
    {RouteId::peer_config, "GET", "/api/v1/peers/{name}/config", Access::write, true},
    {RouteId::peer_qr_png, "GET", "/api/v1/peers/{name}/qr.png", Access::write, true},
    {RouteId::peer_qr_svg, "GET", "/api/v1/peers/{name}/qr.svg", Access::write, true},
    {RouteId::peer_link, "POST", "/api/v1/peers/{name}/link", Access::write, true},
};

std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t i = 1;  // past the leading '/'
    while (i <= path.size()) {
        const std::size_t slash = path.find('/', i);
        const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
        out.push_back(path.substr(i, end - i));
        i = end + 1;
    }
    return out;
}

bool matches(std::string_view pattern, std::string_view path,
             std::map<std::string, std::string>& params) {
    const auto want = segments(pattern);
    const auto got = segments(path);
    if (want.size() != got.size()) return false;
    std::map<std::string, std::string> found;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const auto w = want[i];
        if (w.size() > 2 && w.front() == '{' && w.back() == '}') {
            if (got[i].empty()) return false;
            found[std::string(w.substr(1, w.size() - 2))] = std::string(got[i]);
        } else if (w != got[i]) {
            return false;
        }
    }
    params = std::move(found);
    return true;
}

}  // namespace

std::span<const Route> routes() {
    return kRoutes;
}

MatchResult match_route(std::string_view method, std::string_view path, Match& out) {
    if (path.empty() || path.front() != '/') return MatchResult::not_found;
    const std::string_view m = method == "HEAD" ? std::string_view("GET") : method;
    bool path_known = false;
    for (const auto& r : kRoutes) {
        std::map<std::string, std::string> params;
        if (!matches(r.pattern, path, params)) continue;
        path_known = true;
        if (m != r.method) continue;
        out.route = &r;
        out.params = std::move(params);
        return MatchResult::found;
    }
    return path_known ? MatchResult::wrong_method : MatchResult::not_found;
}

}  // namespace vpngw::api
