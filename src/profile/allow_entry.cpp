#include <charconv>

#include "profile/quote.hpp"
#include "profile/sections.hpp"
#include "profile/suggest.hpp"
#include "profile/values.hpp"

namespace vpngw::profile {

using model::AllowEntry;
using model::Proto;

static std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        std::size_t start = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

static bool parse_port(std::string_view s, std::uint16_t& out) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v == 0 || v > 65535)
        return false;
    out = static_cast<std::uint16_t>(v);
    return true;
}

std::optional<AllowEntry> read_allow_entry(Context& ctx, const Text& text) {
    AllowEntry entry;
    entry.text = text.value;
    entry.where = text.where;
    const std::string in = " in allow entry " + quoted(text.value);
    auto fail = [&](const std::string& message) {
        ctx.error(text.where, message);
        return std::nullopt;
    };

    const auto parts = words(text.value);
    if (parts.empty() || parts.size() > 2)
        return fail("invalid allow entry " + quoted(text.value) +
                    ": expected TARGET [PROTO[/PORT[-PORT]]], e.g. \"10.1.0.0/16 tcp/443\"");

    std::string_view target = parts[0];
    if (target.substr(0, 1) == "!") {
        entry.exclude = true;
        target.remove_prefix(1);
        // Excluding everything is an empty list said the hard way ("!any
        // tcp/25", one protocol everywhere, is fine).
        if (target == "any" && parts.size() == 1)
            return fail("\"!any\" excludes everything" + in +
                        ": leave the allow list empty to allow nothing");
        if (target.empty()) return fail("missing target after \"!\"" + in);
    }
    if (target == "any") {
        entry.kind = AllowEntry::Kind::any;
    } else if (target == "internet") {
        entry.kind = AllowEntry::Kind::internet;
    } else if (target.substr(0, 6) == "group:") {
        entry.kind = AllowEntry::Kind::group;
        entry.group = std::string(target.substr(6));
        if (entry.group.empty()) return fail("missing group name after \"group:\"" + in);
    } else if (auto p = parse_prefix(target, true)) {
        if (p->has_host_bits())
            return fail(std::string(target) + " has host bits set" + in + "; did you mean " +
                        p->network().str() + "?");
        entry.kind = AllowEntry::Kind::prefix;
        entry.prefix = *p;
    } else {
        return fail("invalid target " + quoted(target) + in +
                    ": expected \"any\", \"internet\", \"group:NAME\" or a CIDR, "
                    "optionally after \"!\" to exclude it" +
                    did_you_mean(target, {"any", "internet"}));
    }
    if (parts.size() == 1) return entry;

    const std::string_view spec = parts[1];
    const auto slash = spec.find('/');
    const std::string_view proto = spec.substr(0, slash);
    if (proto == "tcp")
        entry.proto = Proto::tcp;
    else if (proto == "udp")
        entry.proto = Proto::udp;
    else if (proto == "icmp")
        entry.proto = Proto::icmp;
    else
        return fail("unknown protocol " + quoted(proto) + in + ": expected tcp, udp or icmp" +
                    did_you_mean(proto, {"tcp", "udp", "icmp"}));
    if (slash == std::string_view::npos) return entry;

    const std::string_view ports = spec.substr(slash + 1);
    if (entry.proto == Proto::icmp) return fail("icmp takes no port" + in);
    const auto dash = ports.find('-');
    const std::string_view from = ports.substr(0, dash);
    const std::string_view to = dash == std::string_view::npos ? from : ports.substr(dash + 1);
    if (!parse_port(from, entry.port_from) || !parse_port(to, entry.port_to))
        return fail("invalid port " + quoted(ports) + in +
                    ": expected PORT or PORT-PORT with ports 1-65535");
    if (entry.port_from > entry.port_to)
        return fail("invalid port range " + quoted(ports) + in +
                    ": the first port is above the last");
    return entry;
}

}  // namespace vpngw::profile
