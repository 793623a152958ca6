#pragma once

// The part of etcd's v3 KV API the registry uses, as plain values, and its
// JSON form on the v3 gRPC gateway (POST /v3/kv/range, /v3/kv/txn; keys and
// values base64, 64-bit integers as decimal strings, fields at their default
// value left out). The encoders and decoders are pure; EtcdKv sends them
// through a Transport (etcd_http.hpp), so tests can check the JSON alone.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace vpngw::fleet {

struct KeyValue {
    std::string key;
    std::string value;
    std::int64_t create_revision = 0;
    std::int64_t mod_revision = 0;
};

struct RangeRequest {
    std::string key;
    std::optional<std::string> range_end;  // none: the key alone
    bool by_create_revision = false;       // ascending create revision, else key order
    std::int64_t revision = 0;             // 0: the latest
    // From the answering member's own copy, without asking the leader:
    // answers without quorum (possibly stale); EtcdKv sets it for readers.
    bool serializable = false;
};

struct RangeResult {
    std::vector<KeyValue> kvs;
    std::int64_t revision = 0;  // the store's revision the answer is of
};

// A txn guard: the key's create (0 = absent) or mod revision equals `value`.
struct Compare {
    enum class Target { create, mod };
    std::string key;
    Target target = Target::create;
    std::int64_t value = 0;
};

struct TxnOp {
    enum class Kind { put, remove };
    Kind kind = Kind::put;
    std::string key;
    std::string value;  // for put
};

struct TxnResult {
    bool succeeded = false;
    std::int64_t revision = 0;
};

// The end of the range of every key starting with `prefix` (its last byte
// incremented, as etcd defines prefix ranges).
std::string prefix_end(std::string_view prefix);

std::string encode_range(const RangeRequest& request);
std::string encode_txn(const std::vector<Compare>& compares, const std::vector<TxnOp>& success);
// `what` names the request in errors.
Result<RangeResult> decode_range(std::string_view json);
Result<TxnResult> decode_txn(std::string_view json);

// The gateway's error body {"error": ..., "code": N, "message": ...} as one
// sentence for people; quorum loss gets an explanation of what it means.
std::string describe_error_body(std::string_view json);
// Whether the error body is etcd's answer during a leader election ("leader
// changed", "no leader"): worth asking again shortly, unlike a timeout.
bool is_election_error(std::string_view json);

class Transport {
  public:
    virtual ~Transport() = default;
    // POSTs `body` to `path` ("/v3/kv/range") on a reachable member; the
    // response body of a 200, else an error with the member's answer.
    virtual Result<std::string> post(std::string_view path, const std::string& body) = 0;
};

class EtcdKv {
  public:
    explicit EtcdKv(std::unique_ptr<Transport> transport, bool serializable_reads = false)
        : transport_(std::move(transport)), serializable_reads_(serializable_reads) {}

    Result<RangeResult> range(const RangeRequest& request);
    Result<std::optional<KeyValue>> get(const std::string& key);
    Result<TxnResult> txn(const std::vector<Compare>& compares, const std::vector<TxnOp>& success);
    Transport& transport() { return *transport_; }

  private:
    std::unique_ptr<Transport> transport_;
    bool serializable_reads_ = false;
};

}  // namespace vpngw::fleet
