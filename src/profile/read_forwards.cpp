#include <charconv>

#include "profile/quote.hpp"
#include "profile/sections.hpp"
#include "profile/values.hpp"

namespace vpngw::profile {

using model::Proto;

// "addr:port", "[v6]:port", or a bare address (v4 or v6) meaning the same port.
static bool parse_target(std::string_view s, model::Forward& f) {
    std::string_view host = s;
    std::string_view port;
    if (!s.empty() && s.front() == '[') {
        const auto close = s.find(']');
        if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':')
            return false;
        host = s.substr(1, close - 1);
        port = s.substr(close + 2);
        auto a = parse_address(host);
        if (!a || a->is_v4()) return false;
        f.to = *a;
    } else if (auto a = parse_address(s)) {
        f.to = *a;
        f.to_port = f.port;
        return true;
    } else {
        const auto colon = s.find(':');
        if (colon == std::string_view::npos || s.find(':', colon + 1) != std::string_view::npos)
            return false;
        auto v4 = parse_address(s.substr(0, colon));
        if (!v4) return false;
        f.to = *v4;
        port = s.substr(colon + 1);
    }
    unsigned v = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || v == 0 ||
        v > 65535)
        return false;
    f.to_port = static_cast<std::uint16_t>(v);
    return true;
}

static model::Forward read_forward(Context& ctx, const toml::table& table) {
    model::Forward f;
    TableReader r(ctx, table, "[[forward]]", f.origin,
                  {"proto", "port", "to", "uplink", "allow_from", "source"});
    if (auto proto = r.choice<Proto>("proto", {{"tcp", Proto::tcp}, {"udp", Proto::udp}}))
        f.proto = proto->value;
    if (auto port = r.required_integer("port", 1, 65535))
        f.port = static_cast<std::uint16_t>(port->value);
    if (auto to = r.required_string("to")) {
        if (!parse_target(to->value, f))
            ctx.error(to->where, "invalid forward target " + quoted(to->value) +
                                     ": expected \"addr:port\", \"[IPv6]:port\" or \"addr\" with "
                                     "a port 1-65535");
    }
    if (auto uplink = r.reference("uplink")) f.uplink = uplink->value;
    if (auto from = r.strings("allow_from"))
        for (const auto& text : *from)
            if (auto p = read_network(ctx, text, "allow_from", std::nullopt, true))
                f.allow_from.push_back(*p);
    using model::ForwardSource;
    if (auto source = r.choice<ForwardSource>("source", {{"auto", ForwardSource::automatic},
                                                         {"keep", ForwardSource::keep},
                                                         {"gateway", ForwardSource::gateway}}))
        f.source = source->value;
    return f;
}

std::vector<model::Forward> read_forwards(Context& ctx, TableReader& root) {
    std::vector<model::Forward> out;
    for (const toml::table* t : root.tables("forward")) out.push_back(read_forward(ctx, *t));
    return out;
}

}  // namespace vpngw::profile
