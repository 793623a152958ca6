#pragma once

// A wg-quick(8) configuration file as values: the [Interface] keys wg-quick
// itself reads (Address, DNS, MTU, Table, hooks, SaveConfig) and those it hands
// to wg(8) (PrivateKey, ListenPort, FwMark), and the [Peer] sections.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/ip.hpp"
#include "util/key.hpp"
#include "util/result.hpp"
#include "util/secret_text.hpp"

namespace vpngw::wgquick {

struct Hook {
    std::string key;      // PreUp, PostUp, PreDown or PostDown
    std::string command;  // as written
    int line = 0;
};

struct Peer {
    // From a comment on the line(s) just above [Peer] (PiVPN, wg-easy and
    // hand-written configs name peers that way) or a "# Name = x" inside it.
    std::string comment_name;
    PublicKey public_key;
    std::optional<SecretKey> preshared_key;
    std::vector<Prefix> allowed_ips;
    std::optional<Endpoint> endpoint;
    std::optional<std::uint16_t> keepalive;
    int line = 0;  // of the [Peer] header
};

struct Config {
    std::optional<SecretKey> private_key;
    std::optional<std::uint16_t> listen_port;
    std::optional<std::uint32_t> fwmark;
    std::vector<Prefix> addresses;
    std::optional<int> mtu;
    std::vector<std::string> dns;
    std::optional<std::string> table;
    std::optional<bool> save_config;
    std::vector<Hook> hooks;
    std::vector<Peer> peers;
};

// Errors carry "FILE:LINE: ..." like wg-quick's own parser would point at.
Result<Config> parse(std::string_view text, const std::string& file);

enum class Secrets {
    inline_keys,  // PrivateKey / PresharedKey lines (for a 0600 file)
    // No key material: `PostUp = wg set %i private-key FILE` (and preshared-key
    // FILE per peer) load the keys from the files named here.
    from_files,
};

struct RenderOptions {
    Secrets secrets = Secrets::from_files;
    std::string private_key_file;  // with from_files
    // Peer public key (base64) -> its preshared key file, with from_files.
    std::vector<std::pair<std::string, std::string>> psk_files;
    std::vector<std::string> header;  // comment lines written first ("# " added)
};

// The config as wg-quick reads it. With Secrets::from_files the result holds
// no key material.
SecretText render(const Config& config, const RenderOptions& options);

}  // namespace vpngw::wgquick
