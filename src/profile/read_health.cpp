#include "profile/quote.hpp"
#include "profile/sections.hpp"
#include "profile/values.hpp"

namespace vpngw::profile {

using Probe = model::HealthCheck::Probe;

std::optional<model::HealthCheck> read_health(Context& ctx, TableReader& uplink) {
    if (!uplink.has("health")) return std::nullopt;
    const toml::table* table = uplink.table("health");
    if (!table) return std::nullopt;
    model::HealthCheck h;
    TableReader r(ctx, *table, "\"health\"", h.origin,
                  {"probe", "target", "interval", "timeout", "fail_after", "recover_after"});
    if (auto probe =
            r.choice<Probe>("probe", {{"gateway", Probe::gateway}, {"address", Probe::address}}))
        h.probe = probe->value;
    else if (r.has("probe"))
        return std::nullopt;

    if (auto target = r.string("target")) {
        h.target = read_address(ctx, *target, "target", std::nullopt);
        if (h.probe != Probe::address)
            ctx.error(target->where,
                      "\"target\" needs probe = \"address\" (probe = \"gateway\" "
                      "pings the uplink's gateway)");
    }
    if (h.probe == Probe::address && !r.has("target"))
        ctx.error(r.at("probe"), "probe = \"address\" needs a \"target\" address to ping");
    if (h.probe == Probe::gateway && !uplink.has("gateway") && !uplink.has("gateway6"))
        ctx.error(r.where(),
                  "probe = \"gateway\" needs the uplink's \"gateway\" (or \"gateway6\"); "
                  "or use probe = \"address\" with a \"target\"");

    if (auto v = r.integer("interval", 1, 3600)) h.interval = static_cast<int>(v->value);
    if (auto v = r.integer("timeout", 1, 60)) h.timeout = static_cast<int>(v->value);
    if (auto v = r.integer("fail_after", 1, 100)) h.fail_after = static_cast<int>(v->value);
    if (auto v = r.integer("recover_after", 1, 100)) h.recover_after = static_cast<int>(v->value);
    if (h.timeout > h.interval)
        ctx.error(r.at("timeout"), "\"timeout\" (" + std::to_string(h.timeout) +
                                       "s) must not exceed \"interval\" (" +
                                       std::to_string(h.interval) + "s)");
    return h;
}

}  // namespace vpngw::profile
