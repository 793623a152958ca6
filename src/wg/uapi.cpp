#include "wg/uapi.hpp"

#include <sodium.h>

#include <array>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string>

#include "keys/keys.hpp"
#include "wg/key_file.hpp"

namespace vpngw::wg::uapi {

namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr std::size_t kMaxLine = 512;  // longest line we write is far below this

// Collects lines and hands them to the sink in chunks; wipes itself, since
// private and preshared keys pass through it.
class ChunkWriter {
  public:
    explicit ChunkWriter(const Sink& sink) : sink_(sink) {}
    ~ChunkWriter() { sodium_memzero(buf_.data(), buf_.size()); }

    Status put(std::string_view a, std::string_view b = {}, std::string_view c = {}) {
        if (len_ + a.size() + b.size() + c.size() + 1 > buf_.size())
            if (auto s = flush(); !s) return s;
        for (auto part : {a, b, c}) {
            std::memcpy(buf_.data() + len_, part.data(), part.size());
            len_ += part.size();
        }
        buf_[len_++] = '\n';
        return ok_status();
    }
    Status put_key(std::string_view name, const std::uint8_t* key) {
        std::array<char, 65> hex;
        sodium_bin2hex(hex.data(), hex.size(), key, 32);
        auto s = put(name, "=", std::string_view(hex.data(), 64));
        sodium_memzero(hex.data(), hex.size());
        return s;
    }
    Status put_number(std::string_view name, std::uint64_t n) {
        return put(name, "=", std::to_string(n));
    }
    Status flush() {
        if (len_ == 0) return ok_status();
        auto s = sink_(std::string_view(buf_.data(), len_));
        sodium_memzero(buf_.data(), len_);
        len_ = 0;
        return s;
    }

  private:
    const Sink& sink_;
    std::array<char, kChunk + kMaxLine> buf_{};
    std::size_t len_ = 0;
};

Result<std::string> endpoint_text(const Endpoint& e) {
    auto addr = IpAddress::parse(e.host);
    if (!addr) return Error{"endpoint " + e.str() + " is not a numeric address"};
    if (addr->is_v4()) return addr->str() + ":" + std::to_string(e.port);
    return "[" + addr->str() + "]:" + std::to_string(e.port);
}

bool hex_to_key(std::string_view hex, std::uint8_t* out) {
    std::size_t len = 0;
    const char* end = nullptr;
    if (hex.size() != 64) return false;
    return sodium_hex2bin(out, 32, hex.data(), hex.size(), nullptr, &len, &end) == 0 && len == 32 &&
           end == hex.data() + hex.size();
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// hex_to_key for public keys: not constant time (a public key is no secret),
// and several times faster than sodium_hex2bin, which decoding the 50,000
// peers of a device spent most of the parse in.
bool hex_to_public_key(std::string_view hex, std::uint8_t* out) {
    if (hex.size() != 64) return false;
    for (std::size_t i = 0; i < 32; ++i) {
        const int high = hex_digit(hex[2 * i]);
        const int low = hex_digit(hex[2 * i + 1]);
        if ((high | low) < 0) return false;
        out[i] = static_cast<std::uint8_t>(high << 4 | low);
    }
    return true;
}

template <class T>
bool parse_number(std::string_view text, T& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

Error bad_line(std::string_view key, std::string_view value) {
    return Error{"wireguard UAPI: malformed value for " + std::string(key) + ": " +
                 std::string(value)};
}

}  // namespace

Status write_set_request(const DeviceConfig& cfg, const Sink& sink) {
    // Validate first so a bad endpoint never leaves a half-applied request.
    std::vector<std::string> endpoints(cfg.peers.size());
    for (std::size_t i = 0; i < cfg.peers.size(); ++i) {
        if (!cfg.peers[i].endpoint) continue;
        auto text = endpoint_text(*cfg.peers[i].endpoint);
        if (!text) return text.error();
        endpoints[i] = std::move(*text);
    }

    ChunkWriter w(sink);
    Status s = w.put("set=1");
    auto step = [&s](Status next) {
        if (s) s = std::move(next);
    };
    if (cfg.private_key) step(w.put_key("private_key", cfg.private_key->data()));
    if (cfg.listen_port) step(w.put_number("listen_port", *cfg.listen_port));
    if (cfg.fwmark) step(w.put_number("fwmark", *cfg.fwmark));
    if (cfg.replace_peers) step(w.put("replace_peers=true"));
    for (const auto& key : cfg.remove_peers) {
        step(w.put_key("public_key", key.bytes.data()));
        step(w.put("remove=true"));
    }
    for (std::size_t i = 0; i < cfg.peers.size() && s; ++i) {
        const auto& p = cfg.peers[i];
        step(w.put_key("public_key", p.public_key.bytes.data()));
        if (p.preshared_key) step(w.put_key("preshared_key", p.preshared_key->data()));
        if (p.endpoint) step(w.put("endpoint=", endpoints[i]));
        if (p.keepalive) step(w.put_number("persistent_keepalive_interval", *p.keepalive));
        if (p.replace_allowed_ips) step(w.put("replace_allowed_ips=true"));
        for (const auto& prefix : p.allowed_ips) step(w.put("allowed_ip=", prefix.str()));
    }
    step(w.put(""));  // the blank line that ends the request
    step(w.flush());
    return s;
}

Status GetParser::feed_line(std::string_view line) {
    if (done_) return Error{"wireguard UAPI: data after the end of the response"};
    if (line.empty()) {
        done_ = true;
        return ok_status();
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos)
        return Error{"wireguard UAPI: line without '=': " + std::string(line.substr(0, 40))};
    std::string_view key = line.substr(0, eq);
    std::string_view value = line.substr(eq + 1);

    if (key == "private_key") {
        SecretKey priv;
        if (!hex_to_key(value, priv.data())) return Error{"wireguard UAPI: malformed private_key"};
        dev_.public_key = keys::public_from_private(priv);
    } else if (key == "listen_port") {
        if (!parse_number(value, dev_.listen_port)) return bad_line(key, value);
    } else if (key == "fwmark") {
        if (!parse_number(value, dev_.fwmark)) return bad_line(key, value);
    } else if (key == "public_key") {
        ObservedPeer p;
        if (!hex_to_public_key(value, p.public_key.bytes.data())) return bad_line(key, value);
        dev_.peers.push_back(std::move(p));
        peer_ = &dev_.peers.back();
    } else if (key == "errno") {
        if (!parse_number(value, errno_)) return bad_line(key, value);
        have_errno_ = true;
    } else if (key == "protocol_version") {
        // Only version 1 exists; nothing to record.
    } else if (peer_ == nullptr) {
        return Error{"wireguard UAPI: peer attribute " + std::string(key) +
                     " before any public_key"};
    } else if (key == "preshared_key") {
        // wireguard-go reports an all-zero key for every peer without one:
        // recognised as text, so 50,000 of them are not decoded.
        if (value.size() == 64 && value.find_first_not_of('0') == std::string_view::npos) {
            peer_->has_preshared_key = false;
            return ok_status();
        }
        SecretKey psk;
        if (!hex_to_key(value, psk.data())) return Error{"wireguard UAPI: malformed preshared_key"};
        peer_->has_preshared_key = !(psk == SecretKey{});
    } else if (key == "endpoint") {
        auto e = Endpoint::parse(value);
        if (!e) return bad_line(key, value);
        peer_->endpoint = std::move(*e);
    } else if (key == "persistent_keepalive_interval") {
        if (!parse_number(value, peer_->keepalive)) return bad_line(key, value);
    } else if (key == "last_handshake_time_sec") {
        if (!parse_number(value, peer_->last_handshake_sec)) return bad_line(key, value);
    } else if (key == "last_handshake_time_nsec") {
        if (!parse_number(value, peer_->last_handshake_nsec)) return bad_line(key, value);
    } else if (key == "rx_bytes") {
        if (!parse_number(value, peer_->rx_bytes)) return bad_line(key, value);
    } else if (key == "tx_bytes") {
        if (!parse_number(value, peer_->tx_bytes)) return bad_line(key, value);
    } else if (key == "allowed_ip") {
        auto prefix = Prefix::parse(value);
        if (!prefix) return bad_line(key, value);
        peer_->allowed_ips.push_back(*prefix);
    }
    // Unknown keys are ignored: newer daemons may report more.
    return ok_status();
}

Result<ObservedDevice> GetParser::finish() {
    if (!done_) return Error{"wireguard UAPI: response ended early"};
    if (!have_errno_) return Error{"wireguard UAPI: response without errno"};
    if (errno_ != 0)
        return Error{"wireguard UAPI: get failed: " + std::string(std::strerror(std::abs(errno_)))};
    return std::move(dev_);
}

Result<ObservedDevice> parse_get_response(std::string_view text) {
    GetParser parser;
    while (!parser.done()) {
        auto nl = text.find('\n');
        if (nl == std::string_view::npos) return Error{"wireguard UAPI: response ended early"};
        if (auto s = parser.feed_line(text.substr(0, nl)); !s) return s.error();
        text.remove_prefix(nl + 1);
    }
    return parser.finish();
}

Result<int> parse_errno_response(std::string_view text) {
    constexpr std::string_view prefix = "errno=";
    if (text.substr(0, prefix.size()) != prefix)
        return Error{"wireguard UAPI: unexpected answer: " + std::string(text.substr(0, 40))};
    text.remove_prefix(prefix.size());
    auto nl = text.find('\n');
    int value = 0;
    if (nl == std::string_view::npos || !parse_number(text.substr(0, nl), value))
        return Error{"wireguard UAPI: malformed errno line"};
    return value;
}

}  // namespace vpngw::wg::uapi
