#include <charconv>

#include "profile/quote.hpp"
#include "profile/sections.hpp"
#include "profile/values.hpp"

namespace vpngw::profile {

using model::NatMode;
using model::Policy;

static std::optional<model::Management> read_management(Context& ctx, const toml::table& table) {
    model::Management m;
    TableReader r(ctx, table, "[firewall.management]", m.origin, {"port", "allow"});
    if (auto port = r.integer("port", 1, 65535)) m.port = static_cast<std::uint16_t>(port->value);
    // An allow list that was written but wrong is reported as such, not as "open".
    bool written_wrong = false;
    if (auto allow = r.strings("allow")) {
        for (const auto& text : *allow) {
            if (auto p = read_network(ctx, text, "allow", std::nullopt, true))
                m.allow.push_back(*p);
            else
                written_wrong = true;
        }
    } else {
        written_wrong = r.has("allow");
    }
    if (m.allow.empty() && !written_wrong)
        ctx.warning(r.at("allow"), "management port " + std::to_string(m.port) +
                                       " is open to everyone: \"allow\" is empty");
    return m;
}

// "10/minute": how many dropped packets per unit get logged.
static std::optional<model::RateLimit> read_rate(Context& ctx, const Text& text) {
    const std::string& s = text.value;
    auto slash = s.find('/');
    model::RateLimit rate;
    bool ok = slash != std::string::npos && slash > 0;
    if (ok) {
        auto [end, ec] = std::from_chars(s.data(), s.data() + slash, rate.count);
        ok = ec == std::errc{} && end == s.data() + slash && rate.count > 0;
        rate.unit = s.substr(slash + 1);
        ok = ok && (rate.unit == "second" || rate.unit == "minute" || rate.unit == "hour" ||
                    rate.unit == "day");
    }
    if (!ok) {
        ctx.error(text.where, "invalid rate " + quoted(s) +
                                  " for \"log_drops\": expected \"N/second\", \"N/minute\", "
                                  "\"N/hour\" or \"N/day\" with N >= 1");
        return std::nullopt;
    }
    return rate;
}

void read_firewall(Context& ctx, TableReader& root, model::Firewall& firewall,
                   std::optional<Located<NatMode>>& default_nat) {
    const toml::table* table = root.has("firewall") ? root.table("firewall") : nullptr;
    if (!table) {
        if (!root.has("firewall"))
            ctx.warning(ctx.document(),
                        "no [firewall] management access: SSH to the gateway will be blocked "
                        "by the default input drop policy");
        return;
    }
    TableReader r(ctx, *table, "[firewall]", firewall.origin,
                  {"management", "input", "forward", "log_drops", "nat", "mss_clamp"});

    const std::initializer_list<std::pair<const char*, Policy>> policies = {
        {"drop", Policy::drop}, {"accept", Policy::accept}};
    if (auto input = r.choice("input", policies)) {
        firewall.input = input->value;
        if (input->value == Policy::accept)
            ctx.warning(input->where,
                        "input = \"accept\": every service on the gateway is reachable from "
                        "anywhere");
    }
    if (auto forward = r.choice("forward", policies)) {
        firewall.forward = forward->value;
        if (forward->value == Policy::accept)
            ctx.warning(forward->where,
                        "forward = \"accept\": traffic through the gateway is not filtered; "
                        "group allow lists and isolation have no effect");
    }
    if (auto clamp = r.boolean("mss_clamp")) firewall.mss_clamp = clamp->value;
    if (auto rate = r.string("log_drops")) firewall.log_drops = read_rate(ctx, *rate);
    if (auto nat = r.choice<NatMode>("nat", {{"masquerade", NatMode::masquerade},
                                             {"snat", NatMode::snat},
                                             {"none", NatMode::none}}))
        default_nat = *nat;

    if (r.has("management")) {
        if (const toml::table* m = r.table("management"))
            firewall.management = read_management(ctx, *m);
    } else if (firewall.input == Policy::accept) {
        ctx.warning(r.where(),
                    "no management access in [firewall]: with input = \"accept\" SSH is open to "
                    "everyone");
    } else {
        ctx.warning(r.where(),
                    "no management access in [firewall]: SSH to the gateway will be blocked by the "
                    "default input drop policy");
    }
}

}  // namespace vpngw::profile
