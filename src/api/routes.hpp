#pragma once

// The routes of `vpngw serve`, as data: the server dispatches on this table
// and a test checks that each of them is in the OpenAPI document.

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vpngw::api {

// Who may call a route.
enum class Access {
    open,   // anyone: static files, the OpenAPI document, login, one-time links
    read,   // a token of scope read or write
    write,  // a token of scope write
};

enum class RouteId {
    page_index,
    page_app_js,
    page_app_css,
    page_link_js,
    link_page,
    openapi,
    session_create,
    session_delete,
    link_redeem,
    status,
    log,
    peers_list,
    peers_add,
    peer_get,
    peer_edit,
    peer_remove,
    peer_disable,
    peer_enable,
    peer_rotate,
    peer_config,
    peer_qr_png,
    peer_qr_svg,
    peer_link,
};

struct Route {
    RouteId id;
    const char* method;
    const char* pattern;  // "/api/v1/peers/{name}": a {param} is one path segment
    Access access;
    bool api;  // under /api/v1 and in the OpenAPI document (pages are not)
};

std::span<const Route> routes();

struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
};

enum class MatchResult { found, wrong_method, not_found };

// The route for `method` and `path`. HEAD matches GET.
MatchResult match_route(std::string_view method, std::string_view path, Match& out);

}  // namespace vpngw::api
