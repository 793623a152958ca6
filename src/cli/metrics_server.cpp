#include "cli/metrics_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "util/unique_fd.hpp"

namespace vpngw::cli {

namespace {

using Clock = std::chrono::steady_clock;

// A request head larger than this is refused (431): /metrics needs a request
// line, a Host and an Authorization header.
constexpr std::size_t kMaxHead = 8192;
// Heads read, waiting for a worker. Scrapes are serialised anyway; more
// would only queue behind a slow one.
constexpr std::size_t kMaxReady = 16;
constexpr int kWorkers = 2;

Error sys_error(const std::string& what) {
    return Error{what + ": " + std::strerror(errno)};
}

// ---- the bearer token: kept only as its BLAKE2b hash ----

using TokenHash = std::array<unsigned char, crypto_generichash_BYTES>;

TokenHash hash_token(std::string_view token) {
    TokenHash h{};
    crypto_generichash(h.data(), h.size(), reinterpret_cast<const unsigned char*>(token.data()),
                       token.size(), nullptr, 0);
    return h;
}

Result<TokenHash> read_token(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Error{"cannot read the token file " + file + ": " + std::strerror(errno)};
    std::string token((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // One line; editors and `echo` add a newline that is not part of it.
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ' ||
                              token.back() == '\t'))
        token.pop_back();
    const bool bad = token.empty() || std::any_of(token.begin(), token.end(), [](unsigned char c) {
                         return c <= 0x20 || c == 0x7f;
                     });
    const TokenHash h = hash_token(token);
    sodium_memzero(token.data(), token.size());
    if (bad)
        return Error{"the token file " + file +
                     " must hold one token of printable characters without spaces"};
    return h;
}

// Whether `header` (the Authorization value) is "Bearer <token>". Both sides
// are hashed first, so the comparison takes the same time whatever the
// length or content of what the client sent.
bool bearer_matches(std::string_view header, const TokenHash& want) {
    constexpr std::string_view scheme = "bearer ";
    if (header.size() < scheme.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return false;
    const TokenHash got = hash_token(header.substr(scheme.size()));
    return sodium_memcmp(got.data(), want.data(), got.size()) == 0;
}

// ---- TLS ----

struct SslCtxFree {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
    void operator()(SSL* s) const { SSL_free(s); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

std::string ssl_error() {
    const unsigned long e = ERR_get_error();
    if (e == 0) return "unknown TLS error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

Result<SslCtxPtr> tls_context(const std::string& cert, const std::string& key) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) return Error{"TLS: " + ssl_error()};
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx.get(), SSL_MODE_AUTO_RETRY);
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), cert.c_str()) != 1)
        return Error{"TLS certificate " + cert + ": " + ssl_error()};
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM) != 1)
        return Error{"TLS key " + key + ": " + ssl_error()};
    if (SSL_CTX_check_private_key(ctx.get()) != 1)
        return Error{"TLS key " + key + " does not match the certificate " + cert};
    return ctx;
}

// ---- connections ----

// One accepted connection: its socket, its TLS session (HTTPS only) and the
// bytes of the request head read so far.
struct Connection {
    UniqueFd fd;
    SslPtr ssl;
    bool handshaken = false;
    short events = POLLIN;  // what the next step waits for (TLS may want to write)
    Clock::time_point deadline;
    std::string head;

    bool head_complete() const {
        return head.find("\r\n\r\n") != std::string::npos || head.find("\n\n") != std::string::npos;
    }
};

// Best effort, never blocking: a short refusal to a connection being dropped.
void refuse(Connection& c, std::string_view status) {
    const std::string text =
        "HTTP/1.1 " + std::string(status) + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    if (c.ssl) {
        if (c.handshaken) (void)SSL_write(c.ssl.get(), text.data(), static_cast<int>(text.size()));
    } else {
        (void)::send(c.fd.get(), text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    }
}

enum class Step { wait, ready, drop };

// Advances a waiting connection by what the socket has now: the TLS
// handshake, then the head. Never blocks (the socket is non-blocking).
Step advance(Connection& c) {
    std::array<char, 2048> buf;
    for (;;) {
        ssize_t n;
        if (c.ssl) {
            int rc = c.handshaken ? SSL_read(c.ssl.get(), buf.data(), buf.size())
                                  : SSL_accept(c.ssl.get());
            if (rc > 0 && !c.handshaken) {
                c.handshaken = true;
                continue;
            }
            if (rc <= 0) {
                const int err = SSL_get_error(c.ssl.get(), rc);
                ERR_clear_error();
                if (err == SSL_ERROR_WANT_READ) c.events = POLLIN;
                if (err == SSL_ERROR_WANT_WRITE) c.events = POLLOUT;
                if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return Step::wait;
                return Step::drop;
            }
            n = rc;
        } else {
            n = ::recv(c.fd.get(), buf.data(), buf.size(), MSG_DONTWAIT);
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
                return Step::wait;
            if (n <= 0) return Step::drop;
        }
        c.head.append(buf.data(), static_cast<std::size_t>(n));
        if (c.head_complete()) return Step::ready;
        if (c.head.size() > kMaxHead) {
            refuse(c, "431 Request Header Fields Too Large");
            return Step::drop;
        }
    }
}

// httplib's view of a connection whose head the gate has read: reads serve
// the buffered head first, then the socket; every write must finish before
// the response deadline.
class ConnectionStream : public httplib::Stream {
  public:
    ConnectionStream(Connection& c, Clock::time_point deadline) : c_(c), deadline_(deadline) {}

    bool is_readable() const override {
        return pos_ < c_.head.size() || (c_.ssl && SSL_pending(c_.ssl.get()) > 0) || wait(POLLIN);
    }
    bool is_writable() const override { return wait(POLLOUT); }

    ssize_t read(char* ptr, size_t size) override {
        if (pos_ < c_.head.size()) {
            const std::size_t n = std::min(size, c_.head.size() - pos_);
            std::memcpy(ptr, c_.head.data() + pos_, n);
            pos_ += n;
            return static_cast<ssize_t>(n);
        }
        if (c_.ssl) return tls_io(SSL_read, ptr, size);
        if (!is_readable()) return -1;
        return ::recv(c_.fd.get(), ptr, size, MSG_DONTWAIT);
    }

    ssize_t write(const char* ptr, size_t size) override {
        if (c_.ssl) return tls_io(SSL_write, const_cast<char*>(ptr), size);
        if (!is_writable()) return -1;
        return ::send(c_.fd.get(), ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
    }

    void get_remote_ip_and_port(std::string& ip, int& port) const override {
        address(::getpeername, ip, port);
    }
    void get_local_ip_and_port(std::string& ip, int& port) const override {
        address(::getsockname, ip, port);
    }
    socket_t socket() const override { return c_.fd.get(); }

  private:
    // SSL_read/SSL_write on the non-blocking socket, retried (with the same
    // arguments, as OpenSSL requires) until done or past the deadline.
    template <class F>
    ssize_t tls_io(F op, char* ptr, size_t size) {
        for (;;) {
            const int rc = op(c_.ssl.get(), ptr, static_cast<int>(std::min<size_t>(size, 1 << 20)));
            if (rc > 0) return rc;
            const int err = SSL_get_error(c_.ssl.get(), rc);
            ERR_clear_error();
            if (err == SSL_ERROR_WANT_READ && wait(POLLIN)) continue;
            if (err == SSL_ERROR_WANT_WRITE && wait(POLLOUT)) continue;
            return -1;
        }
    }

    bool wait(short events) const {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
        if (left.count() <= 0) return false;
        pollfd p{c_.fd.get(), events, 0};
        return ::poll(&p, 1, static_cast<int>(left.count())) == 1 && (p.revents & events);
    }

    template <class F>
    void address(F get, std::string& ip, int& port) const {
        sockaddr_storage sa{};
        socklen_t len = sizeof sa;
        ip.clear();
        port = 0;
        if (get(c_.fd.get(), reinterpret_cast<sockaddr*>(&sa), &len) != 0) return;
        char host[NI_MAXHOST], serv[NI_MAXSERV];
        if (::getnameinfo(reinterpret_cast<sockaddr*>(&sa), len, host, sizeof host, serv,
                          sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) != 0)
            return;
        ip = host;
        port = std::atoi(serv);
    }

    Connection& c_;
    Clock::time_point deadline_;
    std::size_t pos_ = 0;
};

// httplib's request handling, reached for a connection it did not accept.
class Responder : public httplib::Server {
  public:
    using httplib::Server::process_request;
};

Result<UniqueFd> listen_on(const ListenAddress& where) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(where.port);
    if (int rc = ::getaddrinfo(where.host.c_str(), port.c_str(), &hints, &found); rc != 0)
        return Error{"cannot resolve " + where.host + ": " + ::gai_strerror(rc)};
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, ::freeaddrinfo);
    UniqueFd fd(::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return sys_error("socket");
    const int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd.get(), found->ai_addr, found->ai_addrlen) != 0)
        return sys_error("cannot listen on " + where.host + ":" + port);
    if (::listen(fd.get(), SOMAXCONN) != 0) return sys_error("listen");
    return fd;
}

// Complete heads handed from the gate to the workers.
class ReadyQueue {
  public:
    // Takes `c`, or leaves it with the caller when full (to be refused).
    bool push(std::unique_ptr<Connection>& c) {
        std::lock_guard lock(mutex_);
        if (items_.size() >= kMaxReady) return false;
        items_.push_back(std::move(c));
        cv_.notify_one();
        return true;
    }
    std::unique_ptr<Connection> pop() {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return !items_.empty(); });
        auto c = std::move(items_.front());
        items_.pop_front();
        return c;
    }

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::unique_ptr<Connection>> items_;
};

void respond(Responder& responder, Connection& c, std::chrono::milliseconds write_timeout) {
    ConnectionStream stream(c, Clock::now() + write_timeout);
    bool closed = false;
    std::string ip;
    int port = 0;
    stream.get_remote_ip_and_port(ip, port);
    responder.process_request(stream, /*close_connection=*/true, closed,
                              [&](httplib::Request& req) {
                                  req.remote_addr = ip;
                                  req.remote_port = port;
                              });
    if (c.ssl) {
        (void)SSL_shutdown(c.ssl.get());
        ERR_clear_error();
    }
    ::shutdown(c.fd.get(), SHUT_WR);
}

// The gate: accepts, and reads every waiting connection's head with poll.
[[noreturn]] void gate(int listener, SSL_CTX* tls, const MetricsServerOptions& opt,
                       ReadyQueue& ready) {
    std::vector<std::unique_ptr<Connection>> waiting;  // oldest first
    std::vector<pollfd> fds;
    for (;;) {
        auto now = Clock::now();
        auto next = now + std::chrono::hours(1);
        fds.assign(1, pollfd{listener, POLLIN, 0});
        for (auto& c : waiting) {
            fds.push_back(pollfd{c->fd.get(), c->events, 0});
            next = std::min(next, c->deadline);
        }
        const auto timeout =
            std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count() + 1;
        if (::poll(fds.data(), fds.size(), static_cast<int>(timeout)) < 0 && errno != EINTR)
            std::perror("vpngw metrics: poll");

        now = Clock::now();
        for (std::size_t i = 0; i < waiting.size(); ++i) {
            auto& c = waiting[i];
            Step step = Step::wait;
            if (fds[i + 1].revents != 0) step = advance(*c);
            if (step == Step::wait && now >= c->deadline) {
                refuse(*c, "408 Request Timeout");
                step = Step::drop;
            }
            if (step == Step::ready && !ready.push(c)) {
                refuse(*c, "503 Service Unavailable");
                step = Step::drop;
            }
            if (step == Step::drop) c.reset();
        }
        std::erase(waiting, nullptr);

        if (fds[0].revents & POLLIN) {
            for (;;) {
                UniqueFd fd(::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
                if (!fd) break;
                auto c = std::make_unique<Connection>();
                c->fd = std::move(fd);
                c->deadline = now + opt.head_timeout;
                if (tls) {
                    c->ssl.reset(SSL_new(tls));
                    if (!c->ssl || SSL_set_fd(c->ssl.get(), c->fd.get()) != 1) continue;
                }
                // Full: the oldest waiting connection makes room. A scraper
                // sends its head at once, so it is never the oldest for long.
                if (waiting.size() >= opt.max_waiting) waiting.erase(waiting.begin());
                waiting.push_back(std::move(c));
            }
        }
    }
}

}  // namespace

Result<ListenAddress> parse_listen(std::string_view text) {
    const Error usage{
        "--listen wants ADDR:PORT, e.g. 127.0.0.1:9586, [::1]:9586 or "
        "0.0.0.0:9586 (every address), not '" +
        std::string(text) + "'"};
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return usage;
    ListenAddress a;
    a.host = std::string(text.substr(0, colon));
    if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']')
        a.host = a.host.substr(1, a.host.size() - 2);
    // Every address only when asked by name: a bare ":PORT" is loopback.
    if (a.host.empty()) a.host = "127.0.0.1";
    const std::string_view port = text.substr(colon + 1);
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), a.port);
    if (ec != std::errc{} || end != port.data() + port.size() || a.port < 1 || a.port > 65535)
        return usage;
    return a;
}

Status serve_metrics(const MetricsServerOptions& opt, MetricsSource source) {
    std::optional<TokenHash> token;
    if (!opt.token_file.empty()) {
        auto t = read_token(opt.token_file);
        if (!t) return t.error();
        token = *t;
    }
    if (opt.tls_cert.empty() != opt.tls_key.empty())
        return Error{"--tls-cert and --tls-key go together"};
    SslCtxPtr tls;
    if (!opt.tls_cert.empty()) {
        auto ctx = tls_context(opt.tls_cert, opt.tls_key);
        if (!ctx) return ctx.error();
        tls = std::move(*ctx);
    }
    auto listener = listen_on(opt.listen);
    if (!listener) return listener.error();
    std::signal(SIGPIPE, SIG_IGN);  // a client gone mid-response is an error value, not a signal

    Responder responder;
    responder.set_payload_max_length(1024);  // GET has no body worth reading
    std::mutex scrape;                       // two scrapes at once would only read the kernel twice
    responder.set_pre_routing_handler(
        [&token](const httplib::Request& req, httplib::Response& res) {
            if (!token || bearer_matches(req.get_header_value("Authorization"), *token))
                return httplib::Server::HandlerResponse::Unhandled;
            res.status = 401;
            res.set_header("WWW-Authenticate", "Bearer realm=\"vpngw metrics\"");
            res.set_content("unauthorized\n", "text/plain; charset=utf-8");
            return httplib::Server::HandlerResponse::Handled;
        });
    responder.Get("/metrics", [&](const httplib::Request&, httplib::Response& res) {
        std::lock_guard guard(scrape);
        auto text = source();
        if (!text) {
            res.status = 500;
            res.set_content(text.error().str() + "\n", "text/plain; charset=utf-8");
            return;
        }
        res.set_content(*text, "text/plain; version=0.0.4; charset=utf-8");
    });
    responder.Get("/", [](const httplib::Request&, httplib::Response& res) {
        res.set_content("vpngw metrics: see /metrics\n", "text/plain; charset=utf-8");
    });

    ReadyQueue ready;
    std::vector<std::jthread> workers;
    for (int i = 0; i < kWorkers; ++i)
        workers.emplace_back([&] {
            for (;;) {
                auto c = ready.pop();
                respond(responder, *c, opt.write_timeout);
            }
        });
    std::fprintf(stderr, "serving metrics on %s://%s:%d/metrics%s\n", tls ? "https" : "http",
                 opt.listen.host.c_str(), opt.listen.port, token ? " (bearer token required)" : "");
    gate(listener->get(), tls.get(), opt, ready);
}

}  // namespace vpngw::cli
