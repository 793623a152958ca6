#pragma once

// One rtnetlink socket: requests with acknowledgements, dumps, and batches of
// requests. Errors carry the kernel's extended-ack text next to strerror, since
// "Invalid argument" alone rarely says which attribute the kernel disliked.

#include <libmnl/libmnl.h>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace vpngw::netlink {

// What the kernel answered to one request.
struct Ack {
    int error = 0;        // 0 on success, else a positive errno
    std::string message;  // the kernel's extended-ack text (NLMSGERR_ATTR_MSG); may be empty

    bool ok() const { return error == 0; }
    // "Network is unreachable (Nexthop has invalid gateway)"; "Success" when ok.
    std::string str() const;
    // ok, or an Error whose message is str().
    Status status() const;
};

class NetlinkSocket {
  public:
    // An NETLINK_ROUTE socket, bound, with extended acks enabled.
    static Result<NetlinkSocket> open();

    ~NetlinkSocket();
    NetlinkSocket(NetlinkSocket&& other) noexcept;
    NetlinkSocket& operator=(NetlinkSocket&& other) noexcept;
    NetlinkSocket(const NetlinkSocket&) = delete;
    NetlinkSocket& operator=(const NetlinkSocket&) = delete;

    // Receives each data message of a reply.
    using DataCallback = std::function<void(const nlmsghdr*)>;

    // Sends one request with NLM_F_ACK and reads until its acknowledgement.
    // Replies that precede the ack (the answer to a GET of one object) go to
    // on_data. Fails only when the socket itself fails; a refusal by the kernel
    // is a negative Ack.
    Result<Ack> exchange(nlmsghdr* nlh, const DataCallback& on_data = {});

    // exchange() with a negative ack turned into an Error.
    Status request(nlmsghdr* nlh);

    // Sends nlh with NLM_F_DUMP and passes every reply message to on_data.
    // The kernel flags a dump that raced with a change (NLM_F_DUMP_INTR); then
    // on_restart is called (the caller drops what it collected) and the dump is
    // repeated, a few times at most. Without on_restart that is an error.
    Status dump(nlmsghdr* nlh, const DataCallback& on_data,
                const std::function<void()>& on_restart = {});

    // Sends several requests, each with NLM_F_ACK, packed into as few writes
    // as fit, and returns each one's Ack in order. The kernel handles them one
    // after another and a refused one does not stop the rest: a batch saves
    // round trips, it is not a transaction.
    Result<std::vector<Ack>> batch(std::span<nlmsghdr* const> messages);

  private:
    explicit NetlinkSocket(mnl_socket* sock);
    std::uint32_t next_seq() { return ++seq_; }
    Status send(const void* data, std::size_t len);
    // Reads messages addressed to us and passes each to handle until it
    // returns true.
    Status read_until(const std::function<bool(const nlmsghdr*)>& handle);

    mnl_socket* sock_ = nullptr;
    std::uint32_t portid_ = 0;
    std::uint32_t seq_ = 0;
    std::vector<std::uint8_t> rx_;
};

// Prefixes an error with what was being done and anchors it to the profile:
// "adding route ...: Network is unreachable (...)".
Error error_in(const std::string& what, const Error& cause, const Location& where = {});

}  // namespace vpngw::netlink
