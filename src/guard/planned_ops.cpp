#include "guard/planned_ops.hpp"

#include <algorithm>

namespace vpngw::guard {

namespace {

constexpr std::uint32_t kMainTable = 254;

// What the kernel will have once the planned ops ran (only what the checks need).
struct After {
    std::vector<std::string> new_links;
    std::vector<state::Address> new_addresses;
    std::vector<state::Route> new_routes;
};

After collect(const std::vector<ops::Op>& planned) {
    After a;
    for (const auto& op : planned) {
        if (const auto* c = std::get_if<ops::LinkCreate>(&op.payload))
            a.new_links.push_back(c->link.name);
        else if (const auto* ad = std::get_if<ops::AddressAdd>(&op.payload))
            a.new_addresses.push_back(ad->address);
        else if (const auto* r = std::get_if<ops::RouteAdd>(&op.payload))
            a.new_routes.push_back(r->route);
    }
    return a;
}

bool link_exists(const std::string& name, const LiveTables& live, const After& after) {
    return std::find(live.links.begin(), live.links.end(), name) != live.links.end() ||
           std::find(after.new_links.begin(), after.new_links.end(), name) != after.new_links.end();
}

std::string addresses_of(const std::string& dev, const LiveTables& live) {
    std::string out;
    for (const auto& a : live.addresses)
        if (a.ifname == dev) out += (out.empty() ? "" : ", ") + a.prefix.str();
    return out.empty() ? "no addresses" : out;
}

// A gateway is reachable when it lies on a network connected to the device:
// an address of the device covers it, or a direct (gateway-less) route of
// the main table through the device does.
bool gateway_reachable(const IpAddress& via, const std::string& dev, const LiveTables& live,
                       const After& after) {
    for (const auto& a : live.addresses)
        if (a.ifname == dev && a.prefix.network().contains(via)) return true;
    for (const auto& a : after.new_addresses)
        if (a.ifname == dev && a.prefix.network().contains(via)) return true;
    for (const auto& r : live.routes)
        if (r.route.table == kMainTable && r.route.dev == dev && !r.route.via &&
            r.route.type == state::RouteType::unicast && r.route.dst.contains(via))
            return true;
    return false;
}

void check_route(const ops::Op& op, const state::Route& r, const LiveTables& live,
                 const After& after, Diagnostics& out) {
    const std::string what = "route " + ops::describe_route(r);
    if (!r.dev.empty() && !link_exists(r.dev, live, after)) {
        out.error(op.origin, what + ": device " + r.dev + " does not exist");
        return;
    }
    if (r.via && !r.dev.empty() && !gateway_reachable(*r.via, r.dev, live, after))
        out.error(op.origin, what + ": gateway " + r.via->str() +
                                 " is not on a network connected to " + r.dev + " (" + r.dev +
                                 " has " + addresses_of(r.dev, live) +
                                 "); the kernel would refuse it");
    for (const auto& e : live.routes)
        if (e.protocol != state::kRouteProtocol && e.route.table == r.table &&
            e.route.dst == r.dst && e.route.metric == r.metric)
            out.error(op.origin, what + ": table " + std::to_string(r.table) +
                                     " already has a route to " + r.dst.str() +
                                     " that vpngw does not own (" + ops::describe_route(e.route) +
                                     ")");
}

bool table_has_routes(std::uint32_t table, Family f, const LiveTables& live, const After& after) {
    if (table == kMainTable) return true;
    for (const auto& r : after.new_routes)
        if (r.table == table && r.dst.family() == f) return true;
    for (const auto& r : live.routes)
        if (r.route.table == table && r.route.dst.family() == f) return true;
    return false;
}

void check_rule(const ops::Op& op, const state::Rule& r, const LiveTables& live, const After& after,
                Diagnostics& out) {
    const std::string what = "rule " + ops::describe_rule(r);
    if (r.priority < state::kRulePriorityFirst || r.priority > state::kRulePriorityLast)
        out.error(op.origin, what + ": priority " + std::to_string(r.priority) +
                                 " is outside vpngw's range " +
                                 std::to_string(state::kRulePriorityFirst) + "-" +
                                 std::to_string(state::kRulePriorityLast));
    if (r.table == 0 || r.table == 255)
        out.error(op.origin, what + ": table " + std::to_string(r.table) + " is reserved");
    if (!table_has_routes(r.table, r.family, live, after))
        out.warning(op.origin, what + ": table " + std::to_string(r.table) +
                                   " has no routes, so the rule would match and fall through");
    for (const auto& e : live.rules)
        if (e.protocol != state::kRouteProtocol && e.rule.family == r.family &&
            e.rule.priority == r.priority)
            out.warning(op.origin, what + ": another tool already has a rule at priority " +
                                       std::to_string(r.priority) + " (" +
                                       ops::describe_rule(e.rule) + ")");
}

void check_address(const ops::Op& op, const state::Address& a, const LiveTables& live,
                   const After& after, Diagnostics& out) {
    if (!link_exists(a.ifname, live, after))
        out.error(op.origin,
                  "address " + a.prefix.str() + ": device " + a.ifname + " does not exist");
    for (const auto& e : live.addresses)
        if (e.ifname != a.ifname && e.prefix.addr == a.prefix.addr)
            out.warning(op.origin, "address " + a.prefix.str() + " is already on " + e.ifname);
}

// The peer elements as an nft batch the kernel can validate.
std::string element_batch(const char* verb, const std::vector<ops::NftElement>& elements) {
    std::string out;
    for (const auto& e : elements)
        out += std::string(verb) + " element inet " + state::kNftTable + " " + e.map + " { " +
               e.key.str() + " }\n";
    return out;
}

void check_nft(const NftCheck& check, const ops::Op& op, const std::string& batch,
               const std::string& what, Diagnostics& out) {
    if (batch.empty() || !check) return;
    if (auto st = check(batch); !st)
        out.error(op.origin.known() ? op.origin : st.error().where,
                  what + " would be refused by the kernel: " + st.error().message);
}

}  // namespace

void check_planned_ops(const std::vector<ops::Op>& planned, const LiveTables& live,
                       const NftCheck& check, Diagnostics& out) {
    const After after = collect(planned);
    for (const auto& op : planned) {
        std::visit(
            [&](const auto& p) {
                using T = std::decay_t<decltype(p)>;
                if constexpr (std::is_same_v<T, ops::RouteAdd>) {
                    check_route(op, p.route, live, after, out);
                } else if constexpr (std::is_same_v<T, ops::RuleAdd>) {
                    check_rule(op, p.rule, live, after, out);
                } else if constexpr (std::is_same_v<T, ops::AddressAdd>) {
                    check_address(op, p.address, live, after, out);
                } else if constexpr (std::is_same_v<T, ops::NftReplace>) {
                    check_nft(check, op, p.text, "the firewall (table inet vpngw)", out);
                } else if constexpr (std::is_same_v<T, ops::NftElementsAdd>) {
                    check_nft(check, op, element_batch("add", p.elements), "adding peer elements",
                              out);
                } else if constexpr (std::is_same_v<T, ops::NftElementsDelete>) {
                    check_nft(check, op, element_batch("delete", p.elements),
                              "removing peer elements", out);
                }
            },
            op.payload);
    }
}

}  // namespace vpngw::guard
