#pragma once

// etcd's watch stream on the v3 JSON gateway (POST /v3/watch): the request
// that starts a watch of a key prefix from a revision, and a decoder of the
// answer stream, one JSON object per line ({"result": {...}}), fed in chunks
// as they arrive. A watch from a revision etcd has compacted away is
// cancelled with `compact_revision` set: the caller then reads everything
// again (a full reconcile) instead of following changes.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/etcd_kv.hpp"

namespace vpngw::fleet {

struct WatchEvent {
    bool deleted = false;  // else a put
    KeyValue kv;           // a delete has the key and its mod revision only
};

struct WatchMessage {
    std::int64_t revision = 0;  // the store's revision when etcd sent it
    bool created = false;       // the answer to the create request
    bool canceled = false;
    std::int64_t compact_revision = 0;  // set when canceled for compaction
    std::string cancel_reason;
    std::vector<WatchEvent> events;
};

// {"create_request": {...}} for every key under `prefix` from `start_revision`
// (0: from now), with progress notifications (so an idle watch still says
// which revision it has seen).
std::string encode_watch_create(std::string_view prefix, std::int64_t start_revision);

class WatchDecoder {
  public:
    // Appends `chunk` and returns every message it completes.
    Result<std::vector<WatchMessage>> feed(std::string_view chunk);

  private:
    std::string pending_;
};

// One line of the stream.
Result<WatchMessage> decode_watch_message(std::string_view json);

}  // namespace vpngw::fleet
