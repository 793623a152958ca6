#include "registry/sqlite_group_addresses.hpp"

#include <algorithm>

#include "registry/sqlite_peers.hpp"

namespace vpngw::registry::sqlite {
namespace {

std::int64_t family_of(const IpAddress& a) {
    return a.is_v4() ? 4 : 6;
}

// alloc_hint's row: every lo in [start, low) is held.
struct Hint {
    std::int64_t start = 0;
    std::int64_t low = 0;
};

Result<std::optional<Hint>> read_hint(Db& db, const std::string& group, std::int64_t family,
                                      std::int64_t hi) {
    auto stmt = Stmt::prepare(
        db, "SELECT start, low FROM alloc_hint WHERE \"group\" = ? AND family = ? AND hi = ?");
    if (!stmt) return stmt.error();
    stmt->bind(1, group).bind(2, family).bind(3, hi);
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return std::optional<Hint>{};
    return std::optional<Hint>(Hint{stmt->int64(0), stmt->int64(1)});
}

Status write_hint(Db& db, const std::string& group, std::int64_t family, std::int64_t hi,
                  const Hint& hint) {
    auto stmt = Stmt::prepare(db,
                              "INSERT OR REPLACE INTO alloc_hint (\"group\", family, hi, start, "
                              "low) VALUES (?, ?, ?, ?, ?)");
    if (!stmt) return stmt.error();
    stmt->bind(1, group).bind(2, family).bind(3, hi).bind(4, hint.start).bind(5, hint.low);
    return stmt->run();
}

}  // namespace

Result<std::vector<IpAddress>> StoredGroupAddresses::all() {
    return select_group_addresses(*db_, group_);
}

Result<bool> StoredGroupAddresses::held(const IpAddress& address) {
    auto stmt = Stmt::prepare(*db_, "SELECT 1 FROM addresses WHERE address = ? AND \"group\" = ?");
    if (!stmt) return stmt.error();
    stmt->bind(1, address.str()).bind(2, group_);
    return stmt->step();
}

Result<std::optional<IpAddress>> StoredGroupAddresses::lowest_unheld(const IpAddress& from,
                                                                     const IpAddress& to) {
    const std::int64_t family = family_of(from);
    const AddressKey first = address_key(from);
    const std::int64_t last = address_key(to).lo;
    auto hint = read_hint(*db_, group_, family, first.hi);
    if (!hint) return hint.error();
    // The hint covers `from` when its held run starts at or below it and
    // reaches it: the walk may then begin at the run's end.
    const bool covered = *hint && (*hint)->start <= first.lo && first.lo <= (*hint)->low;
    std::int64_t expected = covered ? std::max(first.lo, (*hint)->low) : first.lo;

    auto walk = Stmt::prepare(*db_,
                              "SELECT lo FROM addresses WHERE \"group\" = ? AND family = ? AND "
                              "hi = ? AND lo >= ? ORDER BY lo");
    if (!walk) return walk.error();
    walk->bind(1, group_).bind(2, family).bind(3, first.hi).bind(4, expected);
    while (expected <= last) {
        auto row = walk->step();
        if (!row) return row.error();
        if (!*row || walk->int64(0) != expected) break;  // a gap, or nothing held from here
        ++expected;
    }
    // [from, expected) is held now. Remember the longer of it and the hint's
    // run, so the hint settles on the group's dense run: an allocator that
    // skips an address of its own (the interface's, at a subnet's start)
    // walks from just past it, and finds the run there next time.
    const bool longer = !*hint || expected - first.lo > (*hint)->low - (*hint)->start;
    if (covered || longer) {
        const Hint next{covered ? (*hint)->start : first.lo, expected};
        if (auto st = write_hint(*db_, group_, family, first.hi, next); !st) return st.error();
    }
    if (expected > last) return std::optional<IpAddress>{};
    return std::optional<IpAddress>(address_of(static_cast<int>(family), {first.hi, expected}));
}

}  // namespace vpngw::registry::sqlite
