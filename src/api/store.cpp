#include "api/store.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "util/unique_fd.hpp"

namespace vpngw::api {
namespace {

using registry::sqlite::Db;
using registry::sqlite::Stmt;
using registry::sqlite::Txn;

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS tokens(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
  hash TEXT NOT NULL UNIQUE,
  created INTEGER NOT NULL,
  revoked INTEGER);
CREATE TABLE IF NOT EXISTS links(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  peer TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  used INTEGER);
)";

TokenInfo token_row(const Stmt& s) {
    TokenInfo t;
    t.id = s.int64(0);
    t.name = s.text(1);
    t.scope = s.text(2) == "write" ? Scope::write : Scope::read;
    t.created = s.int64(3);
    t.revoked = s.optional_int64(4);
    return t;
}

constexpr const char* kTokenColumns = "SELECT id, name, scope, created, revoked FROM tokens ";

LinkInfo link_state(const Stmt& s, std::int64_t now) {
    LinkInfo l;
    l.peer = s.text(0);
    l.expires = s.int64(1);
    if (s.optional_int64(2))
        l.state = LinkInfo::State::used;
    else if (now >= l.expires)
        l.state = LinkInfo::State::expired;
    else
        l.state = LinkInfo::State::valid;
    return l;
}

}  // namespace

SecretText random_secret() {
    std::array<unsigned char, 32> raw{};
    randombytes_buf(raw.data(), raw.size());
    std::array<char, sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)>
        text{};
    sodium_bin2base64(text.data(), text.size(), raw.data(), raw.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    SecretText out;
    out.append(std::string_view(text.data()));
    sodium_memzero(raw.data(), raw.size());
    sodium_memzero(text.data(), text.size());
    return out;
}

const char* scope_name(Scope scope) {
    return scope == Scope::write ? "write" : "read";
}

std::optional<Scope> parse_scope(std::string_view text) {
    if (text == "read") return Scope::read;
    if (text == "write") return Scope::write;
    return std::nullopt;
}

bool valid_token_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    for (unsigned char c : name)
        if (c < 0x20 || c == 0x7f) return false;
    return true;
}

std::string secret_hash(std::string_view secret) {
    std::array<unsigned char, 32> h{};
    crypto_generichash(h.data(), h.size(), reinterpret_cast<const unsigned char*>(secret.data()),
                       secret.size(), nullptr, 0);
    std::array<char, 65> hex{};
    sodium_bin2hex(hex.data(), hex.size(), h.data(), h.size());
    return hex.data();
}

Result<Store> Store::open(const std::string& path) {
    // SQLite would create the file with the umask's mode; it holds only
    // hashes, but nobody else has a reason to read them either.
    {
        UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd) return Error{std::string("cannot open ") + path + ": " + std::strerror(errno)};
        if (::fchmod(fd.get(), 0600) != 0)
            return Error{std::string("cannot chmod ") + path + ": " + std::strerror(errno)};
    }
    auto db = Db::open(path, Db::Access::write);
    if (!db) return db.error();
    if (auto st = db->exec(kSchema); !st) return st.error();
    return Store(std::move(*db));
}

Result<NewToken> Store::create_token(const std::string& name, Scope scope, std::int64_t now) {
    if (!valid_token_name(name)) return Error{"a token name is 1 to 64 printable characters"};
    NewToken out;
    out.secret.append("vpngw_");
    out.secret.append(random_secret().view());
    auto stmt =
        Stmt::prepare(db_, "INSERT INTO tokens(name, scope, hash, created) VALUES (?, ?, ?, ?)");
    if (!stmt) return stmt.error();
    stmt->bind(1, name)
        .bind(2, std::string_view(scope_name(scope)))
        .bind(3, secret_hash(out.secret.view()))
        .bind(4, now);
    if (auto st = stmt->run(); !st) return st.error();
    out.info = TokenInfo{sqlite3_last_insert_rowid(db_.get()), name, scope, now, std::nullopt};
    return out;
}

Result<std::vector<TokenInfo>> Store::tokens() {
    auto stmt = Stmt::prepare(db_, (std::string(kTokenColumns) + "ORDER BY id").c_str());
    if (!stmt) return stmt.error();
    std::vector<TokenInfo> out;
    for (;;) {
        auto row = stmt->step();
        if (!row) return row.error();
        if (!*row) break;
        out.push_back(token_row(*stmt));
    }
    return out;
}

Result<bool> Store::revoke_token(std::int64_t id, std::int64_t now) {
    auto stmt =
        Stmt::prepare(db_, "UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL");
    if (!stmt) return stmt.error();
    stmt->bind(1, now).bind(2, id);
    if (auto st = stmt->run(); !st) return st.error();
    return sqlite3_changes(db_.get()) > 0;
}

Result<std::optional<TokenInfo>> Store::find_token(std::string_view secret) {
    auto stmt = Stmt::prepare(
        db_, (std::string(kTokenColumns) + "WHERE hash = ? AND revoked IS NULL").c_str());
    if (!stmt) return stmt.error();
    stmt->bind(1, secret_hash(secret));
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return std::optional<TokenInfo>{};
    return std::optional<TokenInfo>{token_row(*stmt)};
}

Result<std::optional<TokenInfo>> Store::token_by_id(std::int64_t id) {
    auto stmt = Stmt::prepare(
        db_, (std::string(kTokenColumns) + "WHERE id = ? AND revoked IS NULL").c_str());
    if (!stmt) return stmt.error();
    stmt->bind(1, id);
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return std::optional<TokenInfo>{};
    return std::optional<TokenInfo>{token_row(*stmt)};
}

Result<NewLink> Store::create_link(const std::string& peer, std::int64_t ttl, std::int64_t now) {
    if (ttl <= 0) return Error{"a link's time to live must be positive"};
    NewLink out;
    out.secret = random_secret();
    out.expires = now + ttl;
    auto stmt =
        Stmt::prepare(db_, "INSERT INTO links(peer, hash, created, expires) VALUES (?, ?, ?, ?)");
    if (!stmt) return stmt.error();
    stmt->bind(1, peer).bind(2, secret_hash(out.secret.view())).bind(3, now).bind(4, out.expires);
    if (auto st = stmt->run(); !st) return st.error();
    out.id = sqlite3_last_insert_rowid(db_.get());
    return out;
}

Result<LinkInfo> Store::look_link(std::string_view secret, std::int64_t now) {
    auto stmt = Stmt::prepare(db_, "SELECT peer, expires, used FROM links WHERE hash = ?");
    if (!stmt) return stmt.error();
    stmt->bind(1, secret_hash(secret));
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return LinkInfo{};
    return link_state(*stmt, now);
}

Result<LinkInfo> Store::redeem_link(std::string_view secret, std::int64_t now) {
    auto txn = Txn::write(db_);
    if (!txn) return txn.error();
    auto info = look_link(secret, now);
    if (!info) return info.error();
    if (info->state != LinkInfo::State::valid) return info;
    auto stmt = Stmt::prepare(db_, "UPDATE links SET used = ? WHERE hash = ?");
    if (!stmt) return stmt.error();
    stmt->bind(1, now).bind(2, secret_hash(secret));
    if (auto st = stmt->run(); !st) return st.error();
    if (auto st = txn->commit(); !st) return st.error();
    return info;
}

Status Store::forget_links(const std::string& peer, std::int64_t now) {
    auto stmt = Stmt::prepare(db_, "UPDATE links SET used = ? WHERE peer = ? AND used IS NULL");
    if (!stmt) return stmt.error();
    stmt->bind(1, now).bind(2, peer);
    return stmt->run();
}

}  // namespace vpngw::api
