#pragma once

// Owning wrappers for sqlite3* and sqlite3_stmt*, and a write transaction that
// rolls back unless committed. Errors carry SQLite's message and the database
// file as their location.

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace vpngw::registry::sqlite {

class Db {
  public:
    enum class Access { read, write, create };
    // Opens the database file (creating it with `create`), never through a
    // symlink, with foreign keys on and a busy timeout, so a writer waits for
    // another process's transaction instead of failing.
    static Result<Db> open(const std::string& path, Access access);

    Db(Db&& other) noexcept : db_(other.db_), path_(std::move(other.path_)) { other.db_ = nullptr; }
    Db& operator=(Db&& other) noexcept;
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;
    ~Db();

    sqlite3* get() const { return db_; }
    const std::string& path() const { return path_; }
    // Runs statements without results (schema, pragmas, BEGIN/COMMIT).
    Status exec(const char* sql);
    // An error for the last failed call, "<what>: <sqlite message>".
    Error error(std::string_view what) const;
    // A pragma's integer value (user_version, foreign_keys, ...).
    Result<std::int64_t> pragma_int(const char* name);

  private:
    Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
    sqlite3* db_ = nullptr;
    std::string path_;
};

class Stmt {
  public:
    static Result<Stmt> prepare(Db& db, const char* sql);

    Stmt(Stmt&& other) noexcept : stmt_(other.stmt_), db_(other.db_) { other.stmt_ = nullptr; }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    Stmt& operator=(Stmt&&) = delete;
    ~Stmt();

    // 1-based parameter indexes, as in SQL.
    Stmt& bind(int i, std::int64_t v);
    Stmt& bind(int i, std::string_view v);
    Stmt& bind(int i, const std::optional<std::int64_t>& v);
    Stmt& bind_null(int i);
    // true: a row is ready; false: done. The error keeps SQLite's extended code.
    Result<bool> step();
    // Runs a statement without result rows, then resets it for the next
    // bindings.
    Status run();
    int last_code() const { return code_; }
    // Rewinds a query to step it again (with new bindings).
    void reset();

    std::int64_t int64(int col) const;
    std::optional<std::int64_t> optional_int64(int col) const;
    std::string text(int col) const;
    std::optional<std::string> optional_text(int col) const;

  private:
    Stmt(sqlite3_stmt* stmt, Db* db) : stmt_(stmt), db_(db) {}
    sqlite3_stmt* stmt_ = nullptr;
    Db* db_ = nullptr;
    int code_ = SQLITE_OK;
};

// A transaction that rolls back unless committed. write(): BEGIN IMMEDIATE,
// which takes the write lock up front, so what the transaction reads cannot
// change before it writes (address allocation depends on it). read(): one
// consistent snapshot across several statements.
class Txn {
  public:
    static Result<Txn> write(Db& db);
    static Result<Txn> read(Db& db);
    Txn(Txn&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
    Txn(const Txn&) = delete;
    Txn& operator=(const Txn&) = delete;
    Txn& operator=(Txn&&) = delete;
    ~Txn();
    Status commit();

  private:
    explicit Txn(Db* db) : db_(db) {}
    Db* db_ = nullptr;
};

}  // namespace vpngw::registry::sqlite
