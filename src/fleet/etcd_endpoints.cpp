#include "fleet/etcd_endpoints.hpp"

#include <nlohmann/json.hpp>

namespace vpngw::fleet {
namespace {

using nlohmann::json;

Error bad(std::string_view key, const std::string& what) {
    return Error{"endpoint record " + std::string(key) + " in etcd: " + what};
}

}  // namespace

std::string endpoints_prefix(std::string_view prefix) {
    return std::string(prefix) + "endpoints/";
}

std::string endpoint_key(std::string_view prefix, const PublicKey& peer) {
    return endpoints_prefix(prefix) + peer.base64();
}

std::string encode_endpoint(const EndpointRecord& record) {
    return json{{"endpoint", record.endpoint.str()}, {"node", record.node}}.dump();
}

Result<EndpointRecord> decode_endpoint(std::string_view key, std::string_view text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return bad(key, "not a JSON object");
    EndpointRecord r;
    auto ep = j.find("endpoint");
    if (ep == j.end()) return bad(key, "\"endpoint\" is missing");
    if (!ep->is_string()) return bad(key, "\"endpoint\" has the wrong type");
    auto parsed = Endpoint::parse(ep->get<std::string>());
    // The gateway never resolves names, and a client is reached at an address.
    if (!parsed || !IpAddress::parse(parsed->host) || parsed->port == 0)
        return bad(key, "\"endpoint\" is not an address and port (\"198.51.100.10:40123\")");
    r.endpoint = std::move(*parsed);
    auto node = j.find("node");
    if (node == j.end()) return bad(key, "\"node\" is missing");
    if (!node->is_string()) return bad(key, "\"node\" has the wrong type");
    r.node = node->get<std::string>();
    if (r.node.empty()) return bad(key, "\"node\" is empty");
    for (const auto& [name, value] : j.items())
        if (name != "endpoint" && name != "node") return bad(key, "unknown field \"" + name + "\"");
    return r;
}

Result<PublicKey> endpoint_key_peer(std::string_view prefix, std::string_view key) {
    const auto start = endpoints_prefix(prefix);
    if (!key.starts_with(start)) return bad(key, "not under " + start);
    auto peer = PublicKey::from_base64(key.substr(start.size()));
    if (!peer) return bad(key, "the key does not end with a public key");
    return *peer;
}

Result<PublishedEndpoints> read_endpoints(EtcdKv& kv, std::string_view prefix) {
    const auto start = endpoints_prefix(prefix);
    auto r = kv.range({start, prefix_end(start), false, 0});
    if (!r) return r.error();
    PublishedEndpoints out;
    out.revision = r->revision;
    for (const auto& item : r->kvs) {
        auto peer = endpoint_key_peer(prefix, item.key);
        if (!peer) {
            out.refused.push_back(peer.error());
            continue;
        }
        auto rec = decode_endpoint(item.key, item.value);
        if (!rec) {
            out.refused.push_back(rec.error());
            continue;
        }
        out.records.insert_or_assign(*peer, std::move(*rec));
    }
    return out;
}

std::vector<EndpointChange> EndpointPublisher::changes(
    const std::map<PublicKey, Endpoint>& seen) const {
    std::vector<EndpointChange> out;
    for (const auto& [peer, endpoint] : seen) {
        EndpointRecord want{endpoint, node_};
        auto it = known_.find(peer);
        if (it == known_.end() || !(it->second == want)) out.push_back({peer, std::move(want)});
    }
    for (const auto& [peer, record] : known_)
        if (record.node == node_ && !seen.contains(peer)) out.push_back({peer, std::nullopt});
    return out;
}

void EndpointPublisher::committed(const std::vector<EndpointChange>& changes) {
    for (const auto& c : changes) {
        if (c.record)
            known_.insert_or_assign(c.peer, *c.record);
        else
            known_.erase(c.peer);
    }
}

std::vector<std::vector<EndpointChange>> batches(const std::vector<EndpointChange>& changes,
                                                 std::size_t max_ops) {
    std::vector<std::vector<EndpointChange>> out;
    if (max_ops == 0) max_ops = 1;
    for (std::size_t i = 0; i < changes.size(); i += max_ops)
        out.emplace_back(
            changes.begin() + static_cast<std::ptrdiff_t>(i),
            changes.begin() + static_cast<std::ptrdiff_t>(std::min(changes.size(), i + max_ops)));
    return out;
}

std::vector<TxnOp> txn_ops(std::string_view prefix, const std::vector<EndpointChange>& changes) {
    std::vector<TxnOp> ops;
    ops.reserve(changes.size());
    for (const auto& c : changes) {
        if (c.record)
            ops.push_back(
                {TxnOp::Kind::put, endpoint_key(prefix, c.peer), encode_endpoint(*c.record)});
        else
            ops.push_back({TxnOp::Kind::remove, endpoint_key(prefix, c.peer), {}});
    }
    return ops;
}

}  // namespace vpngw::fleet
