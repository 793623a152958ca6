#include "http/server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "util/unique_fd.hpp"

namespace vpngw::http {

namespace {

using Clock = std::chrono::steady_clock;

// A request head larger than this is refused (431): a request line, a Host,
// an Authorization or Cookie header and a few more fit easily.
constexpr std::size_t kMaxHead = 8192;

Error sys_error(const std::string& what) {
    return Error{what + ": " + std::strerror(errno)};
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
    explicit ReadyQueue(std::size_t max) : max_(max) {}
    // Takes `c`, or leaves it with the caller when full (to be refused).
    bool push(std::unique_ptr<Connection>& c) {
        std::lock_guard lock(mutex_);
        if (items_.size() >= max_) return false;
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
    std::size_t max_;
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
[[noreturn]] void gate(int listener, SSL_CTX* tls, const ServerOptions& opt, ReadyQueue& ready) {
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
            std::perror("vpngw: poll");

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

bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

Request to_request(const httplib::Request& in, bool tls) {
    Request r;
    r.method = in.method;
    r.path = in.path;
    r.query.insert(in.params.begin(), in.params.end());
    r.headers.assign(in.headers.begin(), in.headers.end());
    r.body = in.body;
    r.remote_ip = in.remote_addr;
    r.tls = tls;
    return r;
}

void from_response(const Response& out, httplib::Response& res) {
    res.status = out.status;
    for (const auto& [name, value] : out.headers) res.set_header(name, value);
    res.set_content(out.body, out.content_type);
}

}  // namespace

std::string Request::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (same_name(k, name)) return v;
    return "";
}

std::string Request::param(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? "" : it->second;
}

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

bool is_loopback(std::string_view host) {
    if (host == "localhost" || host == "::1") return true;
    in_addr a{};
    const std::string text(host);
    if (::inet_pton(AF_INET, text.c_str(), &a) == 1) return (ntohl(a.s_addr) >> 24) == 127;
    return false;
}

struct Server::Impl {
    ServerOptions options;
    UniqueFd listener;
    SslCtxPtr tls;
    int port = 0;
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::Server(Server&&) noexcept = default;
Server& Server::operator=(Server&&) noexcept = default;
Server::~Server() = default;

int Server::port() const {
    return impl_->port;
}
bool Server::tls() const {
    return impl_->tls != nullptr;
}

Result<Server> Server::open(const ServerOptions& opt) {
    if (opt.tls_cert.empty() != opt.tls_key.empty())
        return Error{"--tls-cert and --tls-key go together"};
    auto impl = std::make_unique<Impl>();
    impl->options = opt;
    if (!opt.tls_cert.empty()) {
        auto ctx = tls_context(opt.tls_cert, opt.tls_key);
        if (!ctx) return ctx.error();
        impl->tls = std::move(*ctx);
    }
    auto listener = listen_on(opt.listen);
    if (!listener) return listener.error();
    impl->listener = std::move(*listener);
    sockaddr_storage sa{};
    socklen_t len = sizeof sa;
    impl->port = opt.listen.port;
    if (::getsockname(impl->listener.get(), reinterpret_cast<sockaddr*>(&sa), &len) == 0)
        impl->port = ntohs(sa.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(sa).sin6_port
                                                    : reinterpret_cast<sockaddr_in&>(sa).sin_port);
    return Server(std::move(impl));
}

void Server::run(Handler handler) {
    std::signal(SIGPIPE, SIG_IGN);  // a client gone mid-response is an error value, not a signal
    const ServerOptions& opt = impl_->options;
    const bool tls = impl_->tls != nullptr;
    Responder responder;
    responder.set_payload_max_length(opt.max_body);
    auto dispatch = [&handler, tls](const httplib::Request& req, httplib::Response& res) {
        from_response(handler(to_request(req, tls)), res);
    };
    // Every path and method reaches the one handler, which does its own routing.
    constexpr const char* kAny = R"(.*)";
    responder.Get(kAny, dispatch);
    responder.Post(kAny, dispatch);
    responder.Put(kAny, dispatch);
    responder.Patch(kAny, dispatch);
    responder.Delete(kAny, dispatch);
    responder.Options(kAny, dispatch);

    ReadyQueue ready(opt.max_ready);
    std::vector<std::jthread> workers;
    for (int i = 0; i < std::max(1, opt.workers); ++i)
        workers.emplace_back([&] {
            for (;;) {
                auto c = ready.pop();
                respond(responder, *c, opt.write_timeout);
            }
        });
    gate(impl_->listener.get(), impl_->tls.get(), opt, ready);
}

}  // namespace vpngw::http
