#include "txn/op_codec.hpp"

#include <toml++/toml.h>

#include <sstream>

#include "txn/toml_text.hpp"

namespace vpngw::txn {

namespace {

constexpr std::int64_t kOpsVersion = 2;

// ---- encoding ----

toml::table encode_link(const state::Link& l) {
    return toml::table{{"name", l.name}, {"link_kind", l.kind}, {"mtu", l.mtu}, {"up", l.up}};
}

toml::table encode_address(const state::Address& a) {
    return toml::table{{"ifname", a.ifname}, {"prefix", a.prefix.str()}};
}

toml::table encode_route(const state::Route& r) {
    toml::table t{{"table", static_cast<std::int64_t>(r.table)},
                  {"dst", r.dst.str()},
                  {"dev", r.dev},
                  {"metric", static_cast<std::int64_t>(r.metric)},
                  {"type", static_cast<std::int64_t>(r.type)}};
    if (r.via) t.insert("via", r.via->str());
    return t;
}

toml::table encode_rule(const state::Rule& r) {
    toml::table t{{"family", static_cast<std::int64_t>(r.family)},
                  {"priority", static_cast<std::int64_t>(r.priority)},
                  {"fwmask", static_cast<std::int64_t>(r.fwmask)},
                  {"iif", r.iif},
                  {"table", static_cast<std::int64_t>(r.table)}};
    if (r.fwmark) t.insert("fwmark", static_cast<std::int64_t>(*r.fwmark));
    if (r.from) t.insert("from", r.from->str());
    if (r.suppress_prefixlength)
        t.insert("suppress_prefixlength", static_cast<std::int64_t>(*r.suppress_prefixlength));
    return t;
}

toml::array encode_elements(const std::vector<ops::NftElement>& elements) {
    toml::array a;
    for (const auto& e : elements) a.push_back(toml::table{{"map", e.map}, {"key", e.key.str()}});
    return a;
}

toml::table encode_wg(const ops::WgChange& c) {
    toml::table t{{"ifname", c.ifname}, {"private_key_file", c.private_key_file}};
    if (c.listen_port) t.insert("listen_port", static_cast<std::int64_t>(*c.listen_port));
    if (c.fwmark) t.insert("fwmark", static_cast<std::int64_t>(*c.fwmark));
    toml::array upsert;
    for (const auto& p : c.upsert_peers) {
        toml::array ips;
        for (const auto& ip : p.allowed_ips) ips.push_back(ip.str());
        toml::table pt{{"public_key", p.public_key.base64()},
                       {"name", p.name},
                       {"preshared_key_file", p.preshared_key_file},
                       {"allowed_ips", std::move(ips)},
                       {"keepalive", p.keepalive}};
        if (p.endpoint) pt.insert("endpoint", p.endpoint->str());
        upsert.push_back(std::move(pt));
    }
    t.insert("upsert", std::move(upsert));
    toml::array remove;
    for (const auto& k : c.remove_peers) remove.push_back(k.base64());
    t.insert("remove", std::move(remove));
    return t;
}

toml::table encode_op(const ops::Op& op) {
    toml::table t = std::visit(
        [](const auto& p) -> toml::table {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, ops::LinkCreate>) {
                auto t = encode_link(p.link);
                t.insert("backend", static_cast<std::int64_t>(p.backend));
                return t;
            } else if constexpr (std::is_same_v<T, ops::LinkDelete>) {
                return encode_link(p.link);
            } else if constexpr (std::is_same_v<T, ops::LinkSet>) {
                auto t = encode_link(p.link);
                t.insert("before", encode_link(p.before));
                return t;
            } else if constexpr (std::is_same_v<T, ops::WgChange>) {
                return encode_wg(p);
            } else if constexpr (std::is_same_v<T, ops::AddressAdd> ||
                                 std::is_same_v<T, ops::AddressDelete>) {
                return encode_address(p.address);
            } else if constexpr (std::is_same_v<T, ops::RouteAdd>) {
                return encode_route(p.route);
            } else if constexpr (std::is_same_v<T, ops::RouteDelete>) {
                auto t = encode_route(p.route);
                if (p.hand_back_to)
                    t.insert("hand_back_to", static_cast<std::int64_t>(*p.hand_back_to));
                return t;
            } else if constexpr (std::is_same_v<T, ops::RuleAdd> ||
                                 std::is_same_v<T, ops::RuleDelete>) {
                return encode_rule(p.rule);
            } else if constexpr (std::is_same_v<T, ops::SysctlSet>) {
                return toml::table{
                    {"key", p.sysctl.key}, {"value", p.sysctl.value}, {"before", p.before}};
            } else if constexpr (std::is_same_v<T, ops::NftReplace>) {
                return toml::table{{"text", p.text}, {"before", p.before}};
            } else if constexpr (std::is_same_v<T, ops::LinkMark>) {
                return toml::table{{"name", p.name}, {"alias", p.alias}, {"before", p.before}};
            } else {
                return toml::table{{"elements", encode_elements(p.elements)}};
            }
        },
        op.payload);
    t.insert("kind", std::string(op.kind()));
    if (op.origin.known()) t.insert("origin", op.origin.str());
    return t;
}

// ---- decoding ----

class Reader {
  public:
    Reader(const toml::table& t, std::string source) : t_(t), source_(std::move(source)) {}

    std::string str(const char* key) const { return t_[key].value_or(std::string()); }
    std::int64_t num(const char* key, std::int64_t fallback = 0) const {
        return t_[key].value_or(fallback);
    }
    bool flag(const char* key) const { return t_[key].value_or(false); }
    bool has(const char* key) const { return t_.contains(key); }
    const toml::table& table() const { return t_; }

    Result<Prefix> prefix(const char* key) const {
        auto p = Prefix::parse(str(key));
        if (!p) return bad(key);
        return *p;
    }
    Result<IpAddress> address(const char* key) const {
        auto a = IpAddress::parse(str(key));
        if (!a) return bad(key);
        return *a;
    }
    Result<PublicKey> key(std::string_view text, const char* what) const {
        auto k = PublicKey::from_base64(text);
        if (!k) return bad(what);
        return *k;
    }
    Error bad(const char* key) const {
        const toml::node* n = t_.get(key);
        return Error{"invalid or missing \"" + std::string(key) + "\" in a recorded operation",
                     toml_location(source_, n ? n->source() : t_.source())};
    }
    const std::string& source() const { return source_; }

  private:
    const toml::table& t_;
    std::string source_;
};

state::Link decode_link(const Reader& r) {
    state::Link l;
    l.name = r.str("name");
    l.kind = r.str("link_kind");
    l.mtu = static_cast<int>(r.num("mtu"));
    l.up = r.flag("up");
    return l;
}

Result<state::Address> decode_address(const Reader& r) {
    auto p = r.prefix("prefix");
    if (!p) return p.error();
    return state::Address{r.str("ifname"), *p, {}};
}

Result<state::Route> decode_route(const Reader& r) {
    state::Route route;
    route.table = static_cast<std::uint32_t>(r.num("table", 254));
    auto dst = r.prefix("dst");
    if (!dst) return dst.error();
    route.dst = *dst;
    if (r.has("via")) {
        auto via = r.address("via");
        if (!via) return via.error();
        route.via = *via;
    }
    route.dev = r.str("dev");
    route.metric = static_cast<std::uint32_t>(r.num("metric"));
    route.type = static_cast<state::RouteType>(r.num("type"));
    return route;
}

Result<state::Rule> decode_rule(const Reader& r) {
    state::Rule rule;
    rule.family = static_cast<Family>(r.num("family", 4));
    rule.priority = static_cast<std::uint32_t>(r.num("priority"));
    if (r.has("fwmark")) rule.fwmark = static_cast<std::uint32_t>(r.num("fwmark"));
    rule.fwmask = static_cast<std::uint32_t>(r.num("fwmask", 0xffffffff));
    if (r.has("from")) {
        auto from = r.prefix("from");
        if (!from) return from.error();
        rule.from = *from;
    }
    rule.iif = r.str("iif");
    rule.table = static_cast<std::uint32_t>(r.num("table", 254));
    if (r.has("suppress_prefixlength"))
        rule.suppress_prefixlength = static_cast<int>(r.num("suppress_prefixlength"));
    return rule;
}

Result<std::vector<ops::NftElement>> decode_elements(const Reader& r) {
    std::vector<ops::NftElement> out;
    const auto* arr = r.table()["elements"].as_array();
    if (!arr) return out;
    for (const auto& node : *arr) {
        const auto* t = node.as_table();
        if (!t) return r.bad("elements");
        Reader e(*t, r.source());
        auto key = e.address("key");
        if (!key) return key.error();
        out.push_back({e.str("map"), *key, {}});
    }
    return out;
}

Result<ops::WgChange> decode_wg(const Reader& r) {
    ops::WgChange c;
    c.ifname = r.str("ifname");
    c.private_key_file = r.str("private_key_file");
    if (r.has("listen_port")) c.listen_port = static_cast<std::uint16_t>(r.num("listen_port"));
    if (r.has("fwmark")) c.fwmark = static_cast<std::uint32_t>(r.num("fwmark"));
    if (const auto* upsert = r.table()["upsert"].as_array()) {
        for (const auto& node : *upsert) {
            const auto* t = node.as_table();
            if (!t) return r.bad("upsert");
            Reader p(*t, r.source());
            state::WgPeer peer;
            auto key = p.key(p.str("public_key"), "public_key");
            if (!key) return key.error();
            peer.public_key = *key;
            peer.name = p.str("name");
            peer.preshared_key_file = p.str("preshared_key_file");
            if (const auto* ips = (*t)["allowed_ips"].as_array())
                for (const auto& ip : *ips) {
                    auto prefix = Prefix::parse(ip.value_or(std::string()));
                    if (!prefix) return p.bad("allowed_ips");
                    peer.allowed_ips.push_back(*prefix);
                }
            if (p.has("endpoint")) peer.endpoint = Endpoint::parse(p.str("endpoint"));
            peer.keepalive = static_cast<int>(p.num("keepalive"));
            c.upsert_peers.push_back(std::move(peer));
        }
    }
    if (const auto* remove = r.table()["remove"].as_array())
        for (const auto& node : *remove) {
            auto key = r.key(node.value_or(std::string()), "remove");
            if (!key) return key.error();
            c.remove_peers.push_back(*key);
        }
    return c;
}

template <class T, class Inner>
Result<ops::OpPayload> wrap(Result<Inner> inner) {
    if (!inner) return inner.error();
    return ops::OpPayload{T{std::move(*inner)}};
}

Result<ops::OpPayload> decode_payload(const Reader& r) {
    const std::string kind = r.str("kind");
    if (kind == "link-create") {
        auto backend = static_cast<model::Backend>(r.num("backend"));
        return ops::OpPayload{ops::LinkCreate{decode_link(r), backend}};
    }
    if (kind == "link-delete") return ops::OpPayload{ops::LinkDelete{decode_link(r)}};
    if (kind == "link-set") {
        const auto* before = r.table()["before"].as_table();
        if (!before) return r.bad("before");
        return ops::OpPayload{ops::LinkSet{decode_link(r), decode_link(Reader(*before, ""))}};
    }
    if (kind == "wireguard") return wrap<ops::WgChange>(decode_wg(r));
    if (kind == "address-add") return wrap<ops::AddressAdd>(decode_address(r));
    if (kind == "address-delete") return wrap<ops::AddressDelete>(decode_address(r));
    if (kind == "route-add") return wrap<ops::RouteAdd>(decode_route(r));
    if (kind == "route-delete") {
        // Version 1 journals have no hand_back_to: their routes are deleted.
        auto route = decode_route(r);
        if (!route) return route.error();
        ops::RouteDelete del{std::move(*route), std::nullopt};
        if (r.has("hand_back_to")) {
            const auto protocol = r.num("hand_back_to", -1);
            if (protocol < 0 || protocol > 255) return r.bad("hand_back_to");
            del.hand_back_to = static_cast<std::uint8_t>(protocol);
        }
        return ops::OpPayload{std::move(del)};
    }
    if (kind == "rule-add") return wrap<ops::RuleAdd>(decode_rule(r));
    if (kind == "rule-delete") return wrap<ops::RuleDelete>(decode_rule(r));
    if (kind == "sysctl")
        return ops::OpPayload{ops::SysctlSet{{r.str("key"), r.str("value")}, r.str("before")}};
    if (kind == "nft") return ops::OpPayload{ops::NftReplace{r.str("text"), r.str("before")}};
    if (kind == "link-mark")
        return ops::OpPayload{ops::LinkMark{r.str("name"), r.str("alias"), r.str("before")}};
    if (kind == "nft-element-add") {
        auto e = decode_elements(r);
        if (!e) return e.error();
        return ops::OpPayload{ops::NftElementsAdd{std::move(*e)}};
    }
    if (kind == "nft-element-delete") {
        auto e = decode_elements(r);
        if (!e) return e.error();
        return ops::OpPayload{ops::NftElementsDelete{std::move(*e)}};
    }
    const toml::node* n = r.table().get("kind");
    return Error{"unknown operation kind \"" + kind + "\"",
                 toml_location(r.source(), n ? n->source() : r.table().source())};
}

// "file:line:col" back into a Location (the file may itself contain ':').
Location parse_location(const std::string& text) {
    Location loc;
    auto c2 = text.rfind(':');
    if (c2 == std::string::npos) return {text, 0, 0};
    auto c1 = text.rfind(':', c2 - 1);
    if (c1 == std::string::npos) return {text, 0, 0};
    loc.file = text.substr(0, c1);
    loc.line = std::atoi(text.c_str() + c1 + 1);
    loc.column = std::atoi(text.c_str() + c2 + 1);
    return loc;
}

Result<std::vector<ops::Op>> decode_root(const toml::table& root, const std::string& source) {
    // Older versions read as they always did; a newer one may mean things
    // this build would get wrong, so it is refused rather than guessed at.
    if (const auto* v = root["version"].as_integer(); v && v->get() > kOpsVersion)
        return Error{"recorded operations of version " + std::to_string(v->get()) +
                         ", newer than this vpngw reads (" + std::to_string(kOpsVersion) + ")",
                     toml_location(source, v->source())};
    std::vector<ops::Op> out;
    const auto* arr = root["op"].as_array();
    if (!arr) return out;
    out.reserve(arr->size());
    for (const auto& node : *arr) {
        const auto* t = node.as_table();
        if (!t)
            return Error{"an [[op]] entry is not a table", toml_location(source, node.source())};
        Reader r(*t, source);
        auto payload = decode_payload(r);
        if (!payload) return payload.error();
        ops::Op op{std::move(*payload), {}};
        if (r.has("origin")) op.origin = parse_location(r.str("origin"));
        out.push_back(std::move(op));
    }
    return out;
}

}  // namespace

std::string encode_ops(const std::vector<ops::Op>& ops) {
    toml::array arr;
    for (const auto& op : ops) arr.push_back(encode_op(op));
    // 2: route-delete may carry hand_back_to (a taken-over route's owner).
    toml::table root{{"version", kOpsVersion}};
    root.insert("op", std::move(arr));
    std::ostringstream out;
    out << root << "\n";
    return out.str();
}

Result<std::vector<ops::Op>> decode_ops(const std::string& text, const std::string& source) {
    auto root = parse_toml(text, source);
    if (!root) return root.error();
    return decode_root(*root, source);
}

}  // namespace vpngw::txn
