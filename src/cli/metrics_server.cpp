#include "cli/metrics_server.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>

namespace vpngw::cli {

namespace {

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

}  // namespace

Status serve_metrics(const MetricsServerOptions& opt, MetricsSource source) {
    std::optional<TokenHash> token;
    if (!opt.token_file.empty()) {
        auto t = read_token(opt.token_file);
        if (!t) return t.error();
        token = *t;
    }
    http::ServerOptions so = opt.server;
    so.max_body = 1024;  // GET has no body worth reading
    // Scrapes are serialised anyway; more waiting heads would only queue
    // behind a slow one.
    so.max_ready = 16;
    so.workers = 2;
    auto server = http::Server::open(so);
    if (!server) return server.error();

    std::mutex scrape;  // two scrapes at once would only read the kernel twice
    auto handler = [&](const http::Request& req) {
        http::Response res;
        if (token && !bearer_matches(req.header("Authorization"), *token)) {
            res.status = 401;
            res.set_header("WWW-Authenticate", "Bearer realm=\"vpngw metrics\"");
            res.body = "unauthorized\n";
            return res;
        }
        if (req.path == "/metrics") {
            std::lock_guard guard(scrape);
            auto text = source();
            if (!text) {
                res.status = 500;
                res.body = text.error().str() + "\n";
                return res;
            }
            res.body = std::move(*text);
            res.content_type = "text/plain; version=0.0.4; charset=utf-8";
        } else if (req.path == "/") {
            res.body = "vpngw metrics: see /metrics\n";
        } else {
            res.status = 404;
            res.body = "not found\n";
        }
        return res;
    };
    std::fprintf(stderr, "serving metrics on %s://%s:%d/metrics%s\n",
                 server->tls() ? "https" : "http", so.listen.host.c_str(), server->port(),
                 token ? " (bearer token required)" : "");
    server->run(handler);
}

}  // namespace vpngw::cli
