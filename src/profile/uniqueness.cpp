#include <map>
#include <tuple>

#include "profile/checks.hpp"
#include "profile/quote.hpp"

namespace vpngw::profile {

namespace {

std::string line_of(const Location& where) {
    return "line " + std::to_string(where.line);
}

// Remembers the first owner of each value and reports later ones.
template <class Key>
class FirstSeen {
  public:
    // Returns the first owner's description and location when `key` was taken.
    const std::pair<std::string, Location>* claim(const Key& key, std::string owner,
                                                  Location where) {
        auto [it, inserted] = seen_.try_emplace(key, std::move(owner), std::move(where));
        return inserted ? nullptr : &it->second;
    }

  private:
    std::map<Key, std::pair<std::string, Location>> seen_;
};

template <class T>
void unique_names(Context& ctx, const std::vector<T>& items, const char* kind) {
    FirstSeen<std::string> names;
    for (const auto& item : items) {
        if (item.name.empty()) continue;  // missing: reported by the reader
        if (auto first = names.claim(item.name, "", item.origin.at("name")))
            ctx.error(item.origin.at("name"), std::string("duplicate ") + kind + " name " +
                                                  quoted(item.name) + " (first defined on " +
                                                  line_of(first->second) + ")");
    }
}

void unique_ports_tables_marks(Context& ctx, const model::Profile& p) {
    FirstSeen<std::uint16_t> ports;
    for (const auto& i : p.interfaces)
        if (auto first = ports.claim(i.listen_port, "interface " + quoted(i.name),
                                     i.origin.at("listen_port")))
            ctx.error(i.origin.at("listen_port"), "listen_port " + std::to_string(i.listen_port) +
                                                      " is already used by " + first->first + " (" +
                                                      line_of(first->second) + ")");

    FirstSeen<std::uint32_t> tables;
    for (const auto& u : p.uplinks)
        if (u.table_explicit)
            if (auto first =
                    tables.claim(u.table, "uplink " + quoted(u.name), u.origin.at("table")))
                ctx.error(u.origin.at("table"), "routing table " + std::to_string(u.table) +
                                                    " is already used by " + first->first + " (" +
                                                    line_of(first->second) + ")");

    FirstSeen<std::uint32_t> marks;
    auto claim_mark = [&](std::uint32_t mark, const std::string& owner, const Location& where) {
        if (auto first = marks.claim(mark, owner, where))
            ctx.error(where, "fwmark " + std::to_string(mark) + " is already used by " +
                                 first->first + " (" + line_of(first->second) + ")");
    };
    for (const auto& u : p.uplinks)
        if (u.fwmark_explicit && u.fwmark != 0)
            claim_mark(u.fwmark, "uplink " + quoted(u.name), u.origin.at("fwmark"));
    for (const auto& i : p.interfaces)
        if (i.fwmark != 0)
            claim_mark(i.fwmark, "interface " + quoted(i.name), i.origin.at("fwmark"));
}

void unique_peers(Context& ctx, const model::Profile& p) {
    FirstSeen<PublicKey> keys;
    FirstSeen<IpAddress> addresses;
    const PublicKey unset{};
    for (const auto& peer : p.peers) {
        const std::string owner = "peer " + quoted(peer.name);
        if (peer.public_key != unset)
            if (auto first = keys.claim(peer.public_key, owner, peer.origin.at("public_key")))
                ctx.error(peer.origin.at("public_key"), "public key of " + owner +
                                                            " is already used by " + first->first +
                                                            " (" + line_of(first->second) + ")");
        auto claim = [&](const std::optional<IpAddress>& a, const std::string& field) {
            if (!a) return;
            if (auto first = addresses.claim(*a, owner, peer.origin.at(field)))
                ctx.error(peer.origin.at(field), "address " + a->str() + " of " + owner +
                                                     " is already used by " + first->first + " (" +
                                                     line_of(first->second) + ")");
        };
        claim(peer.address, "address");
        claim(peer.address6, "address6");
        for (std::size_t i = 0; i < peer.extra_addresses.size(); ++i)
            claim(peer.extra_addresses[i], "extra_addresses." + std::to_string(i));
    }
}

void unique_forwards(Context& ctx, const model::Profile& p) {
    FirstSeen<std::tuple<model::Proto, std::uint16_t, std::string>> seen;
    for (const auto& f : p.forwards) {
        if (f.port == 0 || f.uplink.empty()) continue;
        if (auto first = seen.claim({f.proto, f.port, f.uplink}, "", f.origin.at("port")))
            ctx.error(f.origin.at("port"), std::string("forward ") + model::to_string(f.proto) +
                                               "/" + std::to_string(f.port) + " on uplink " +
                                               quoted(f.uplink) + " is already defined on " +
                                               line_of(first->second));
    }
}

}  // namespace

void check_unique(Context& ctx, const model::Profile& p) {
    unique_names(ctx, p.uplinks, "uplink");
    unique_names(ctx, p.interfaces, "interface");
    unique_names(ctx, p.groups, "group");
    unique_names(ctx, p.peers, "peer");
    unique_ports_tables_marks(ctx, p);
    unique_peers(ctx, p);
    unique_forwards(ctx, p);
}

}  // namespace vpngw::profile
