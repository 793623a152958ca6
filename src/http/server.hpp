#pragma once

// An HTTP(S) server that stays responsive under slow or hostile clients.
// cpp-httplib parses and answers requests, but does not accept or read them:
// httplib gives each connection a pool thread that blocks on the socket, so a
// handful of slow clients would starve everyone else. Here one thread accepts
// and reads request heads for every connection at once (non-blocking, poll),
// with a deadline for the whole head, a size cap and a cap on waiting
// connections (the oldest is dropped for a newcomer); only a complete head
// reaches a worker, which reads the body (bounded) and calls the handler.
// Handlers see the plain structs below, never httplib.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.hpp"

namespace vpngw::http {

struct ListenAddress {
    std::string host;
    int port = 0;
};

// "127.0.0.1:9586", "[::1]:9586", "0.0.0.0:9586" (every address, said
// explicitly); a bare ":9586" means loopback, never every address.
Result<ListenAddress> parse_listen(std::string_view text);

// Whether `host` (as parse_listen gives it) is a loopback address: 127.0.0.0/8,
// ::1 or "localhost". Anything else, names included, counts as reachable
// from the network.
bool is_loopback(std::string_view host);

struct Request {
    std::string method;  // GET, POST, ...
    std::string path;    // without the query string, percent-decoded by httplib
    std::multimap<std::string, std::string> query;
    std::vector<std::pair<std::string, std::string>> headers;  // as sent
    std::string body;
    std::string remote_ip;
    bool tls = false;

    // The first header of that name (case-insensitive), or "".
    std::string header(std::string_view name) const;
    // The first query parameter of that name, or "".
    std::string param(const std::string& name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    void set_header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
    }
};

using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
    ListenAddress listen;
    std::string tls_cert;  // both or neither: HTTPS with this chain and key
    std::string tls_key;
    std::string name = "vpngw";    // for the start-up line
    std::size_t max_waiting = 64;  // connections still sending their head
    std::size_t max_ready = 16;    // complete heads waiting for a worker
    int workers = 2;
    std::size_t max_body = 1024;                     // bytes; larger bodies get 413
    std::chrono::milliseconds head_timeout{5000};    // for the whole request head
    std::chrono::milliseconds write_timeout{10000};  // for the body and the whole response
};

// A server bound and ready to run.
class Server {
  public:
    // Binds the address and loads the certificate; an error when it cannot
    // (address in use, unreadable certificate or key).
    static Result<Server> open(const ServerOptions& options);

    Server(Server&&) noexcept;
    Server& operator=(Server&&) noexcept;
    ~Server();

    // The port bound (the one asked for, or the kernel's choice for port 0).
    int port() const;
    bool tls() const;

    // Serves `handler` until the process ends.
    [[noreturn]] void run(Handler handler);

  private:
    struct Impl;
    explicit Server(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace vpngw::http
