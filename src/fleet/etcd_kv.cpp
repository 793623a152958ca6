#include "fleet/etcd_kv.hpp"

#include <sodium.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "escape/escape.hpp"
#include "fleet/etcd_watch.hpp"

namespace vpngw::fleet {
namespace {

using nlohmann::json;

std::string b64(std::string_view bytes) {
    return escape::base64(bytes);
}

std::optional<std::string> unb64(std::string_view text) {
    std::string out(text.size() / 4 * 3 + 3, '\0');
    std::size_t len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                          text.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
        return std::nullopt;
    out.resize(len);
    return out;
}

Error bad(std::string what) {
    return Error{"unexpected answer from etcd: " + std::move(what)};
}

// proto3 JSON writes int64 as a decimal string and leaves out zeros.
std::optional<std::int64_t> int64_field(const json& object, const char* name) {
    auto it = object.find(name);
    if (it == object.end()) return 0;
    if (it->is_number_integer()) return it->get<std::int64_t>();
    if (!it->is_string()) return std::nullopt;
    const auto& s = it->get_ref<const std::string&>();
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

Result<json> parse_object(std::string_view text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
    return j;
}

Result<std::int64_t> header_revision(const json& j) {
    auto header = j.find("header");
    if (header == j.end() || !header->is_object()) return bad("no \"header\"");
    auto rev = int64_field(*header, "revision");
    if (!rev) return bad("\"header.revision\" is not an integer");
    return *rev;
}

Result<std::string> bytes_field(const json& object, const char* name) {
    auto it = object.find(name);
    if (it == object.end()) return std::string();
    if (!it->is_string()) return bad(std::string("\"") + name + "\" is not a string");
    auto decoded = unb64(it->get_ref<const std::string&>());
    if (!decoded) return bad(std::string("\"") + name + "\" is not base64");
    return std::move(*decoded);
}

// One mvccpb.KeyValue: of a range's "kvs" or a watch event's "kv".
Result<KeyValue> decode_kv(const json& item) {
    if (!item.is_object()) return bad("a key-value is not an object");
    auto key = bytes_field(item, "key");
    if (!key) return key.error();
    auto value = bytes_field(item, "value");
    if (!value) return value.error();
    auto created = int64_field(item, "create_revision");
    auto modified = int64_field(item, "mod_revision");
    if (!created || !modified) return bad("a revision of a key-value is not an integer");
    return KeyValue{std::move(*key), std::move(*value), *created, *modified};
}

}  // namespace

std::string prefix_end(std::string_view prefix) {
    std::string end(prefix);
    while (!end.empty()) {
        auto& last = reinterpret_cast<unsigned char&>(end.back());
        if (last < 0xff) {
            ++last;
            return end;
        }
        end.pop_back();
    }
    return std::string(1, '\0');  // every key
}

std::string encode_range(const RangeRequest& r) {
    json j = {{"key", b64(r.key)}};
    if (r.range_end) j["range_end"] = b64(*r.range_end);
    if (r.by_create_revision) {
        j["sort_target"] = "CREATE";
        j["sort_order"] = "ASCEND";
    }
    if (r.revision > 0) j["revision"] = std::to_string(r.revision);
    if (r.serializable) j["serializable"] = true;
    return j.dump();
}

std::string encode_txn(const std::vector<Compare>& compares, const std::vector<TxnOp>& success) {
    json cmp = json::array();
    for (const auto& c : compares) {
        const bool create = c.target == Compare::Target::create;
        cmp.push_back({{"key", b64(c.key)},
                       {"result", "EQUAL"},
                       {"target", create ? "CREATE" : "MOD"},
                       {create ? "create_revision" : "mod_revision", std::to_string(c.value)}});
    }
    json ops = json::array();
    for (const auto& op : success) {
        if (op.kind == TxnOp::Kind::put)
            ops.push_back({{"request_put", {{"key", b64(op.key)}, {"value", b64(op.value)}}}});
        else
            ops.push_back({{"request_delete_range", {{"key", b64(op.key)}}}});
    }
    return json{{"compare", cmp}, {"success", ops}}.dump();
}

Result<RangeResult> decode_range(std::string_view text) {
    auto j = parse_object(text);
    if (!j) return j.error();
    RangeResult out;
    auto rev = header_revision(*j);
    if (!rev) return rev.error();
    out.revision = *rev;
    auto kvs = j->find("kvs");
    if (kvs == j->end()) return out;
    if (!kvs->is_array()) return bad("\"kvs\" is not an array");
    for (const auto& item : *kvs) {
        auto kv = decode_kv(item);
        if (!kv) return kv.error();
        out.kvs.push_back(std::move(*kv));
    }
    return out;
}

Result<TxnResult> decode_txn(std::string_view text) {
    auto j = parse_object(text);
    if (!j) return j.error();
    TxnResult out;
    auto rev = header_revision(*j);
    if (!rev) return rev.error();
    out.revision = *rev;
    auto ok = j->find("succeeded");
    if (ok != j->end()) {
        if (!ok->is_boolean()) return bad("\"succeeded\" is not a boolean");
        out.succeeded = ok->get<bool>();
    }
    return out;
}

namespace {

std::string error_message(std::string_view text) {
    json j = json::parse(text, nullptr, false);
    std::string message;
    if (j.is_object()) {
        for (const char* field : {"message", "error"}) {
            auto it = j.find(field);
            if (it != j.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
                message = it->get<std::string>();
                break;
            }
        }
    }
    if (message.empty()) message = std::string(text.substr(0, 200));
    return message;
}

}  // namespace

bool is_election_error(std::string_view text) {
    const std::string message = error_message(text);
    return message.find("leader changed") != std::string::npos ||
           message.find("no leader") != std::string::npos;
}

std::string describe_error_body(std::string_view text) {
    const std::string message = error_message(text);
    for (const char* sign : {"no leader", "request timed out", "leader changed",
                             "timed out waiting for read index", "Unavailable"})
        if (message.find(sign) != std::string::npos)
            return "the etcd cluster has no quorum (a majority of its members is unreachable), "
                   "so the registry is read-only: changes are refused until it is back; this "
                   "gateway keeps serving its peers (etcd: " +
                   message + ")";
    return "etcd: " + message;
}

std::string encode_watch_create(std::string_view prefix, std::int64_t start_revision) {
    json create = {
        {"key", b64(prefix)}, {"range_end", b64(prefix_end(prefix))}, {"progress_notify", true}};
    if (start_revision > 0) create["start_revision"] = std::to_string(start_revision);
    return json{{"create_request", create}}.dump();
}

Result<WatchMessage> decode_watch_message(std::string_view text) {
    auto j = parse_object(text);
    if (!j) return j.error();
    // grpc-gateway wraps each streamed message: {"result": ...} or {"error": ...}.
    if (auto err = j->find("error"); err != j->end())
        return Error{"etcd ended the watch: " + describe_error_body(err->dump())};
    auto result = j->find("result");
    if (result == j->end() || !result->is_object())
        return bad("a watch message without \"result\"");
    WatchMessage m;
    auto rev = header_revision(*result);
    if (!rev) return rev.error();
    m.revision = *rev;
    for (auto [name, flag] :
         {std::pair{"created", &m.created}, std::pair{"canceled", &m.canceled}}) {
        auto it = result->find(name);
        if (it == result->end()) continue;
        if (!it->is_boolean()) return bad(std::string("\"") + name + "\" is not a boolean");
        *flag = it->get<bool>();
    }
    auto compact = int64_field(*result, "compact_revision");
    if (!compact) return bad("\"compact_revision\" is not an integer");
    m.compact_revision = *compact;
    if (auto reason = result->find("cancel_reason"); reason != result->end() && reason->is_string())
        m.cancel_reason = reason->get<std::string>();
    auto events = result->find("events");
    if (events == result->end()) return m;
    if (!events->is_array()) return bad("\"events\" is not an array");
    for (const auto& e : *events) {
        if (!e.is_object()) return bad("an event is not an object");
        WatchEvent ev;
        if (auto type = e.find("type"); type != e.end()) {
            if (*type == "DELETE")
                ev.deleted = true;
            else if (*type != "PUT")
                return bad("an event of an unknown type");
        }
        auto kv = e.find("kv");
        if (kv == e.end()) return bad("an event without \"kv\"");
        auto decoded = decode_kv(*kv);
        if (!decoded) return decoded.error();
        ev.kv = std::move(*decoded);
        m.events.push_back(std::move(ev));
    }
    return m;
}

Result<std::vector<WatchMessage>> WatchDecoder::feed(std::string_view chunk) {
    // A stream that never ends a line is not etcd's: cap what is held.
    constexpr std::size_t kMaxLine = 64 << 20;
    pending_.append(chunk);
    std::vector<WatchMessage> out;
    std::size_t start = 0;
    for (std::size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1) {
        std::string_view line(pending_.data() + start, nl - start);
        if (line.find_first_not_of(" \r\t") == std::string_view::npos) continue;
        auto m = decode_watch_message(line);
        if (!m) return m.error();
        out.push_back(std::move(*m));
    }
    pending_.erase(0, start);
    if (pending_.size() > kMaxLine) return bad("a watch message longer than 64 MiB");
    return out;
}

Result<RangeResult> EtcdKv::range(const RangeRequest& request) {
    RangeRequest asked = request;
    asked.serializable = asked.serializable || serializable_reads_;
    auto body = transport_->post("/v3/kv/range", encode_range(asked));
    if (!body) return body.error();
    return decode_range(*body);
}

Result<std::optional<KeyValue>> EtcdKv::get(const std::string& key) {
    auto r = range(RangeRequest{key, std::nullopt, false, 0});
    if (!r) return r.error();
    if (r->kvs.empty()) return std::optional<KeyValue>{};
    return std::optional<KeyValue>{std::move(r->kvs.front())};
}

Result<TxnResult> EtcdKv::txn(const std::vector<Compare>& compares,
                              const std::vector<TxnOp>& success) {
    auto body = transport_->post("/v3/kv/txn", encode_txn(compares, success));
    if (!body) return body.error();
    return decode_txn(*body);
}

}  // namespace vpngw::fleet
