#pragma once

// The HTTP(S) transport to etcd's v3 JSON gateway: cpp-httplib with OpenSSL,
// the CA of the members' server certificates verified and this gateway's
// client certificate presented (etcd --client-cert-auth). Members are tried
// in turn, starting with the last one that answered; a member that cannot be
// reached (refused, timed out) is skipped, an answer with an error is not
// (etcd forwards requests to its leader, so another member says the same).

#include <chrono>
#include <functional>
#include <memory>

#include "fleet/etcd_kv.hpp"
#include "model/cluster.hpp"

namespace vpngw::fleet {

struct HttpTimeouts {
    std::chrono::milliseconds connect{1000};
    // etcd answers a write without quorum after its request timeout (~7 s in
    // 3.4); a little longer here so that answer, not ours, is reported.
    std::chrono::milliseconds read{10000};
};

std::unique_ptr<Transport> http_transport(const model::EtcdSettings& settings,
                                          HttpTimeouts timeouts = {});

// A streaming POST (/v3/watch): `on_chunk` gets the body as it arrives and
// returns false to stop. Returns when the stream ends, fails or is stopped.
// `read` bounds the silence between chunks.
using ChunkSink = std::function<bool(std::string_view chunk)>;
Status http_stream(const model::EtcdSettings& settings, std::string_view path,
                   const std::string& body, std::chrono::milliseconds read,
                   const ChunkSink& on_chunk);

}  // namespace vpngw::fleet
