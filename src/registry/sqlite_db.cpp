#include "registry/sqlite_db.hpp"

#include <utility>

namespace vpngw::registry::sqlite {
namespace {

// Long enough for another `peer add` to finish its transaction; short enough
// that a stuck process is reported rather than waited for forever.
constexpr int kBusyTimeoutMs = 10000;

}  // namespace

Result<Db> Db::open(const std::string& path, Access access) {
    sqlite3* raw = nullptr;
    const int mode = access == Access::read    ? SQLITE_OPEN_READONLY
                     : access == Access::write ? SQLITE_OPEN_READWRITE
                                               : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    const int flags = mode | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    Db db(raw, path);  // owns the handle even when opening failed
    if (rc != SQLITE_OK)
        return Error{std::string("cannot open the peer registry: ") +
                         (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)),
                     Location{path}};
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, kBusyTimeoutMs);
    if (auto st = db.exec("PRAGMA foreign_keys = ON"); !st) return st.error();
    return db;
}

Db& Db::operator=(Db&& other) noexcept {
    if (this != &other) {
        if (db_) sqlite3_close_v2(db_);
        db_ = std::exchange(other.db_, nullptr);
        path_ = std::move(other.path_);
    }
    return *this;
}

Db::~Db() {
    if (db_) sqlite3_close_v2(db_);
}

Status Db::exec(const char* sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
    if (rc == SQLITE_OK) return ok_status();
    std::string text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return Error{"peer registry: " + text, Location{path_}};
}

Error Db::error(std::string_view what) const {
    return Error{std::string(what) + ": " + sqlite3_errmsg(db_), Location{path_}};
}

Result<std::int64_t> Db::pragma_int(const char* name) {
    const std::string sql = std::string("PRAGMA ") + name;
    auto stmt = Stmt::prepare(*this, sql.c_str());
    if (!stmt) return stmt.error();
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return Error{std::string("PRAGMA ") + name + " returned nothing", Location{path_}};
    return stmt->int64(0);
}

Result<Stmt> Stmt::prepare(Db& db, const char* sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql, -1, &raw, nullptr) != SQLITE_OK)
        return db.error("peer registry: cannot prepare a statement");
    return Stmt(raw, &db);
}

Stmt::~Stmt() {
    if (stmt_) sqlite3_finalize(stmt_);
}

Stmt& Stmt::bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
}

Stmt& Stmt::bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
}

Stmt& Stmt::bind(int i, const std::optional<std::int64_t>& v) {
    return v ? bind(i, *v) : bind_null(i);
}

Stmt& Stmt::bind_null(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
}

Result<bool> Stmt::step() {
    code_ = sqlite3_step(stmt_);
    if (code_ == SQLITE_ROW) return true;
    if (code_ == SQLITE_DONE) return false;
    return db_->error("peer registry");
}

Status Stmt::run() {
    auto r = step();
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    if (!r) return r.error();
    return ok_status();
}

void Stmt::reset() {
    sqlite3_reset(stmt_);
}

std::int64_t Stmt::int64(int col) const {
    return sqlite3_column_int64(stmt_, col);
}

std::optional<std::int64_t> Stmt::optional_int64(int col) const {
    if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int64(stmt_, col);
}

std::optional<std::string> Stmt::optional_text(int col) const {
    if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
    return text(col);
}

std::string Stmt::text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    if (!p) return {};
    return std::string(reinterpret_cast<const char*>(p),
                       static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

Result<Txn> Txn::write(Db& db) {
    if (auto st = db.exec("BEGIN IMMEDIATE"); !st) return st.error();
    return Txn(&db);
}

Result<Txn> Txn::read(Db& db) {
    if (auto st = db.exec("BEGIN"); !st) return st.error();
    return Txn(&db);
}

Txn::~Txn() {
    if (db_) (void)db_->exec("ROLLBACK");
}

Status Txn::commit() {
    Db* db = std::exchange(db_, nullptr);
    if (auto st = db->exec("COMMIT"); !st) {
        (void)db->exec("ROLLBACK");
        return st;
    }
    return ok_status();
}

}  // namespace vpngw::registry::sqlite
