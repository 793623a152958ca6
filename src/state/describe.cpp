#include "state/describe.hpp"

#include <cstdio>

#include "model/route_table.hpp"

namespace vpngw::state {

std::string hex(std::uint32_t value) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", value);
    return buf;
}

std::string table_name(std::uint32_t table) {
    if (const char* name = model::reserved_table_name(table)) return name;
    return std::to_string(table);
}

std::string describe_route(const Route& r) {
    std::string s;
    if (r.type == RouteType::blackhole) s += "blackhole ";
    if (r.type == RouteType::unreachable) s += "unreachable ";
    if (r.type == RouteType::local) s += "local ";
    s += (r.dst.len == 0 && r.dst.family() == Family::v4) ? "default" : r.dst.str();
    if (r.via) s += " via " + r.via->str();
    if (!r.dev.empty()) s += " dev " + r.dev;
    s += " table " + table_name(r.table);
    if (r.metric) s += " metric " + std::to_string(r.metric);
    return s;
}

std::string describe_rule(const Rule& r) {
    std::string s = r.family == Family::v4 ? "IPv4 rule " : "IPv6 rule ";
    s += std::to_string(r.priority) + ": from " + (r.from ? r.from->str() : "all");
    if (!r.iif.empty()) s += " iif " + r.iif;
    if (r.fwmark) s += " fwmark " + hex(*r.fwmark) + "/" + hex(r.fwmask);
    s += " lookup " + table_name(r.table);
    if (r.suppress_prefixlength)
        s += " suppress_prefixlength " + std::to_string(*r.suppress_prefixlength);
    return s;
}

}  // namespace vpngw::state
