// [[group.proxy]]: a group's TCP ports intercepted and handed to a proxy on
// the gateway (REDIRECT or TPROXY), with the destinations exempt from it.

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "profile/checks.hpp"
#include "profile/quote.hpp"
#include "profile/sections.hpp"
#include "profile/values.hpp"

namespace vpngw::profile {
namespace {

using model::PortRange;
using model::ProxyMode;

std::optional<std::uint16_t> parse_port(std::string_view s) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v == 0 || v > 65535)
        return std::nullopt;
    return static_cast<std::uint16_t>(v);
}

// One element of "ports": an integer port or a string "PORT" / "FROM-TO".
std::optional<PortRange> read_port_range(Context& ctx, const toml::node& element) {
    const Location where = ctx.at(element.source());
    if (auto* i = element.as_integer()) {
        const std::int64_t v = i->get();
        if (v < 1 || v > 65535) {
            ctx.error(where, "port " + std::to_string(v) + " in \"ports\" is not in 1-65535");
            return std::nullopt;
        }
        return PortRange{static_cast<std::uint16_t>(v), static_cast<std::uint16_t>(v)};
    }
    auto* s = element.as_string();
    if (!s) {
        ctx.error(where, std::string("expected a port (integer) or a range (\"FROM-TO\") in "
                                     "\"ports\", got ") +
                             type_name(element.type()));
        return std::nullopt;
    }
    const std::string_view text = s->get();
    const auto dash = text.find('-');
    auto from = parse_port(text.substr(0, dash));
    auto to = dash == std::string_view::npos ? from : parse_port(text.substr(dash + 1));
    if (!from || !to) {
        ctx.error(where, "invalid port " + quoted(text) +
                             " in \"ports\": expected PORT or FROM-TO with ports 1-65535");
        return std::nullopt;
    }
    if (*from > *to) {
        ctx.error(where, "invalid port range " + quoted(text) +
                             " in \"ports\": the first port is above the last");
        return std::nullopt;
    }
    return PortRange{*from, *to};
}

model::Proxy read_proxy(Context& ctx, const toml::table& table, const std::string& group) {
    model::Proxy x;
    TableReader r(ctx, table, "[[group.proxy]] of group " + quoted(group), x.origin,
                  {"ports", "to", "mode", "exempt", "family"});
    if (!r.has("ports")) r.missing("ports");
    if (const toml::array* ports = r.array("ports")) {
        if (ports->empty()) ctx.error(r.at("ports"), "\"ports\" must name at least one port");
        for (const toml::node& element : *ports)
            if (auto range = read_port_range(ctx, element)) x.ports.push_back(*range);
    }
    if (auto to = r.required_integer("to", 1, 65535)) x.to = static_cast<std::uint16_t>(to->value);
    if (auto mode = r.choice<ProxyMode>(
            "mode", {{"redirect", ProxyMode::redirect}, {"tproxy", ProxyMode::tproxy}}))
        x.mode = mode->value;
    if (auto exempt = r.strings("exempt"))
        for (const auto& text : *exempt)
            if (auto p = read_network(ctx, text, "exempt", std::nullopt, true))
                x.exempt.push_back(*p);
    enum class Fam { v4, v6, both };
    if (auto family =
            r.choice<Fam>("family", {{"ipv4", Fam::v4}, {"ipv6", Fam::v6}, {"both", Fam::both}})) {
        x.v4 = family->value != Fam::v6;
        x.v6 = family->value != Fam::v4;
    }
    return x;
}

}  // namespace

std::vector<model::Proxy> read_proxies(Context& ctx, TableReader& group, const std::string& name) {
    std::vector<model::Proxy> out;
    for (const toml::table* t : group.tables("proxy")) out.push_back(read_proxy(ctx, *t, name));
    return out;
}

// A port two entries of a group intercept in the same family goes to the
// first entry's proxy only; the second entry's claim would be silently dead.
static void check_port_overlap(Context& ctx, const model::Group& g) {
    // The first port of b that an earlier entry a already intercepts, or 0.
    auto shared_port = [](const model::Proxy& a, const model::Proxy& b) -> std::uint16_t {
        if (!((a.v4 && b.v4) || (a.v6 && b.v6))) return 0;
        for (const auto& rb : b.ports)
            for (const auto& ra : a.ports)
                if (rb.from <= ra.to && ra.from <= rb.to) return std::max(ra.from, rb.from);
        return 0;
    };
    for (std::size_t i = 0; i < g.proxies.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (auto port = shared_port(g.proxies[j], g.proxies[i])) {
                ctx.error(g.proxies[i].origin.at("ports"),
                          "port " + std::to_string(port) + " of group " + quoted(g.name) +
                              " is already proxied by its proxy on line " +
                              std::to_string(g.proxies[j].origin.table.line));
                break;
            }
}

void check_proxies(Context& ctx, const model::Profile& p) {
    for (const auto& g : p.groups) check_port_overlap(ctx, g);
    for (const auto& g : p.groups)
        for (const auto& x : g.proxies) {
            // An explicit family the group has no subnet of is a mistake; the
            // default ("both") simply proxies the families the group has.
            if (x.origin.fields.count("family")) {
                if (x.v4 && !x.v6 && !g.subnet)
                    ctx.error(x.origin.at("family"), "proxy family \"ipv4\" but group " +
                                                         quoted(g.name) + " has no \"subnet\"");
                if (x.v6 && !x.v4 && !g.subnet6)
                    ctx.error(x.origin.at("family"), "proxy family \"ipv6\" but group " +
                                                         quoted(g.name) + " has no \"subnet6\"");
            }
        }
    if (!model::uses_tproxy(p)) return;
    // TPROXY's mark and table are vpngw's own; an uplink or interface that
    // claims them explicitly would have its traffic delivered to the proxy.
    char mark[16];
    std::snprintf(mark, sizeof mark, "0x%x", model::kProxyMark);
    const std::string why = " is reserved for transparent proxying (mode = \"tproxy\")";
    for (const auto& u : p.uplinks) {
        if (u.table_explicit && u.table == model::kProxyTable)
            ctx.error(u.origin.at("table"), "routing table " + std::to_string(u.table) + why);
        if (u.fwmark_explicit && u.fwmark == model::kProxyMark)
            ctx.error(u.origin.at("fwmark"), std::string("fwmark ") + mark + why);
    }
    for (const auto& i : p.interfaces)
        if (i.fwmark == model::kProxyMark)
            ctx.error(i.origin.at("fwmark"), std::string("fwmark ") + mark + why);
}

}  // namespace vpngw::profile
