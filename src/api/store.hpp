#pragma once

// <state_dir>/api.db: the admin API tokens of `vpngw token` and the one-time
// peer links of `vpngw peer link`. Only a BLAKE2b hash of each secret is
// stored; the secret itself is returned once, when it is made, and never
// again. Its own SQLite file (through registry/sqlite_db.hpp), so the peer
// registry's schema and migrations stay the registry's alone.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/sqlite_db.hpp"
#include "util/result.hpp"
#include "util/secret_text.hpp"

namespace vpngw::api {

enum class Scope { read, write };
const char* scope_name(Scope scope);
std::optional<Scope> parse_scope(std::string_view text);

struct TokenInfo {
    std::int64_t id = 0;
    std::string name;  // what the admin called it ("ansible", "alice's laptop")
    Scope scope = Scope::read;
    std::int64_t created = 0;  // unix seconds
    std::optional<std::int64_t> revoked;
};

struct NewToken {
    TokenInfo info;
    SecretText secret;  // "vpngw_" and 43 characters of base64url: shown once
};

struct LinkInfo {
    enum class State { unknown, valid, used, expired };
    State state = State::unknown;
    std::string peer;
    std::int64_t expires = 0;
};

struct NewLink {
    std::int64_t id = 0;
    std::int64_t expires = 0;
    SecretText secret;  // 43 characters of base64url, the last part of the link
};

// Token names are free text for people; bounded and printable.
bool valid_token_name(std::string_view name);

class Store {
  public:
    // Creates the file (0600) and its tables when missing.
    static Result<Store> open(const std::string& path);

    Result<NewToken> create_token(const std::string& name, Scope scope, std::int64_t now);
    Result<std::vector<TokenInfo>> tokens();
    // false: no token with that id (or already revoked).
    Result<bool> revoke_token(std::int64_t id, std::int64_t now);
    // The live (not revoked) token whose secret this is.
    Result<std::optional<TokenInfo>> find_token(std::string_view secret);
    Result<std::optional<TokenInfo>> token_by_id(std::int64_t id);

    Result<NewLink> create_link(const std::string& peer, std::int64_t ttl_seconds,
                                std::int64_t now);
    // What the link is, without using it.
    Result<LinkInfo> look_link(std::string_view secret, std::int64_t now);
    // Uses the link when it is valid (in one transaction, so two redeemers
    // cannot both get it) and says what it was before.
    Result<LinkInfo> redeem_link(std::string_view secret, std::int64_t now);
    // Marks every unused link of `peer` used (the peer was removed or
    // re-keyed: an old link must not hand out a config that no longer works).
    Status forget_links(const std::string& peer, std::int64_t now);

  private:
    explicit Store(registry::sqlite::Db db) : db_(std::move(db)) {}
    registry::sqlite::Db db_;
};

// 32 random bytes as unpadded base64url (43 characters): 256 bits, so a
// guess never hits and the hash needs no salt or slow KDF. Tokens, links,
// session ids and CSRF tokens are all made of one.
SecretText random_secret();

// The BLAKE2b-256 hash of a secret, hex: what the store keeps and looks up.
std::string secret_hash(std::string_view secret);

}  // namespace vpngw::api
