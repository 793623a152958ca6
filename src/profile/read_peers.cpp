#include "model/peer_limits.hpp"
#include "profile/key_file_check.hpp"
#include "profile/names.hpp"
#include "profile/sections.hpp"
#include "profile/values.hpp"
#include "util/zero_key.hpp"

namespace vpngw::profile {

// The key itself is public, but it is not echoed: a private key pasted here by
// mistake must not end up in a terminal or a CI log.
static void read_public_key(Context& ctx, const Text& text, model::Peer& peer) {
    if (text.value.size() != 44) {
        ctx.error(text.where,
                  "\"public_key\" must be 44 characters of base64 (a 32-byte key), got " +
                      std::to_string(text.value.size()) + " characters");
        return;
    }
    auto key = PublicKey::from_base64(text.value);
    if (!key) {
        ctx.error(text.where, "\"public_key\" is not valid base64 of a 32-byte key");
        return;
    }
    if (is_all_zero(*key)) {
        ctx.error(text.where, "\"public_key\" is the all-zero key, which no peer has");
        return;
    }
    peer.public_key = *key;
}

// The lifecycle keys (issue 17): the text forms of model/peer_limits.hpp.
// A profile is read again at every `up`, so an expiry is a fixed time here
// ("2027-01-31" or "2027-01-31T18:30:00Z"), never "30d" from now.
static void read_limits(Context& ctx, TableReader& r, model::Peer& p) {
    if (auto d = r.boolean("disabled")) p.disabled = d->value;
    if (auto e = r.string("expires")) {
        if (auto t = model::parse_time(e->value))
            p.expires = *t;
        else
            ctx.error(e->where, "\"expires\": " + t.error().message +
                                    " (a profile takes a date or a UTC time, not a duration)");
    }
    if (auto q = r.string("quota")) {
        if (auto quota = model::parse_quota(q->value))
            p.quota = *quota;
        else
            ctx.error(q->where, "\"quota\": " + quota.error().message);
    }
    if (auto rate = r.string("rate")) {
        if (auto bits = model::parse_rate(rate->value))
            p.rate_bits = *bits;
        else
            ctx.error(rate->where, "\"rate\": " + bits.error().message);
    }
    if (auto nets = r.strings("networks"))
        for (const auto& text : *nets)
            if (auto n = read_network(ctx, text, "networks", std::nullopt, false)) {
                // Each element's place, for the checks across tables.
                p.origin.fields["networks." + std::to_string(p.networks.size())] = text.where;
                p.networks.push_back(*n);
            }
}

static model::Peer read_peer(Context& ctx, const toml::table& table) {
    model::Peer p;
    TableReader r(
        ctx, table, "[[peer]]", p.origin,
        {"name", "group", "public_key", "address", "address6", "preshared_key_file", "keepalive",
         "disabled", "expires", "quota", "rate", "networks", "extra_addresses"});
    if (auto name = r.required_string("name")) {
        check_name(ctx, *name, "name");
        p.name = name->value;
    }
    if (!r.has("group"))
        r.missing("group");
    else if (auto group = r.reference("group"))
        p.group = group->value;
    if (auto key = r.required_string("public_key")) read_public_key(ctx, *key, p);
    if (auto a = r.string("address")) {
        if (a->value == "none")
            p.no_address = true;
        else
            p.address = read_address(ctx, *a, "address", Family::v4);
    }
    if (auto a = r.string("address6")) {
        if (a->value == "none")
            p.no_address6 = true;
        else
            p.address6 = read_address(ctx, *a, "address6", Family::v6);
    }
    if (auto extra = r.strings("extra_addresses"))
        for (const auto& text : *extra)
            if (auto a = read_address(ctx, text, "extra_addresses", std::nullopt)) {
                p.origin.fields["extra_addresses." + std::to_string(p.extra_addresses.size())] =
                    text.where;
                p.extra_addresses.push_back(*a);
            }
    if (auto psk = r.string("preshared_key_file")) {
        p.preshared_key_file = resolve_key_path(ctx, psk->value);
        check_key_file(ctx, p.preshared_key_file, psk->value, psk->where, "preshared key file");
    }
    if (auto keepalive = r.integer("keepalive", 0, 65535))
        p.keepalive = static_cast<int>(keepalive->value);
    read_limits(ctx, r, p);
    return p;
}

std::vector<model::Peer> read_peers(Context& ctx, TableReader& root) {
    std::vector<model::Peer> out;
    for (const toml::table* t : root.tables("peer")) out.push_back(read_peer(ctx, *t));
    return out;
}

}  // namespace vpngw::profile
