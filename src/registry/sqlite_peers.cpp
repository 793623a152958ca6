#include "registry/sqlite_peers.hpp"

#include <chrono>

#include "registry/peer_text.hpp"

namespace vpngw::registry::sqlite {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

constexpr const char* kPeerColumns =
    "id, name, public_key, \"group\", created, has_psk, disabled, expires, quota_bytes, "
    "quota_period, rate_bits";

bool unique_violation(const Stmt& stmt) {
    return stmt.last_code() == SQLITE_CONSTRAINT_UNIQUE;
}

// Who holds a unique value, for the message of a violation.
std::string owner(Db& db, const char* sql, std::string_view value) {
    auto stmt = Stmt::prepare(db, sql);
    if (!stmt) return "?";
    stmt->bind(1, value);
    auto row = stmt->step();
    return row && *row ? stmt->text(0) : "?";
}

Error corrupt(Db& db, std::string_view peer, std::string_view what) {
    return Error{"peer registry: peer \"" + std::string(peer) + "\" has " + std::string(what),
                 Location{db.path()}};
}

std::optional<std::int64_t> as_int(const std::optional<std::uint64_t>& v) {
    if (!v) return std::nullopt;
    return static_cast<std::int64_t>(*v);
}

// A peers row (kPeerColumns) into a record without addresses or networks.
Result<PeerRecord> peer_row(Db& db, const Stmt& s) {
    PeerRecord p;
    p.name = s.text(1);
    auto key = PublicKey::from_base64(s.text(2));
    if (!key) return corrupt(db, p.name, "an invalid public key");
    p.public_key = *key;
    p.group = s.text(3);
    p.created = sys_seconds{seconds{s.int64(4)}};
    p.has_psk = s.int64(5) != 0;
    p.disabled = s.int64(6) != 0;
    if (auto e = s.optional_int64(7)) p.expires = sys_seconds{seconds{*e}};
    if (auto q = s.optional_int64(8)) p.quota_bytes = static_cast<std::uint64_t>(*q);
    p.quota_period = s.text(9);
    if (auto r = s.optional_int64(10)) p.rate_bits = static_cast<std::uint64_t>(*r);
    return p;
}

Status add_address(Db& db, PeerRecord& p, std::string_view text) {
    auto a = IpAddress::parse(text);
    if (!a) return corrupt(db, p.name, "an invalid address");
    (a->is_v4() ? p.address : p.address6) = *a;
    return ok_status();
}

Status add_network(Db& db, PeerRecord& p, std::string_view text) {
    auto n = Prefix::parse(text);
    if (!n) return corrupt(db, p.name, "an invalid network");
    p.networks.push_back(*n);
    return ok_status();
}

// The rows a peer owns in other tables, read into its record.
struct Child {
    const char* all;      // peer_id, value; every peer's
    const char* of_peer;  // value; of the peer_id bound to ?1
    Status (*add)(Db&, PeerRecord&, std::string_view);
};
constexpr Child kChildren[] = {
    {"SELECT peer_id, address FROM addresses ORDER BY peer_id, family",
     "SELECT address FROM addresses WHERE peer_id = ? ORDER BY family", add_address},
    {"SELECT peer_id, cidr FROM networks ORDER BY peer_id, rowid",
     "SELECT cidr FROM networks WHERE peer_id = ? ORDER BY rowid", add_network},
};

// A peers row's UNIQUE violation as an error naming the field and the holder.
Error row_error(Db& db, const Stmt& stmt, const Error& error, const PeerRecord& peer) {
    if (!unique_violation(stmt)) return error;
    // "UNIQUE constraint failed: peers.name" (or peers.public_key)
    if (error.message.find("peers.name") != std::string::npos)
        return Error{"name: a peer named \"" + peer.name + "\" already exists",
                     Location{db.path()}};
    return Error{
        "public_key: the public key of \"" + peer.name + "\" already belongs to peer \"" +
            owner(db, "SELECT name FROM peers WHERE public_key = ?", peer.public_key.base64()) +
            "\"",
        Location{db.path()}};
}

// Binds the lifecycle columns has_psk .. rate_bits from parameter `first` on.
void bind_lifecycle(Stmt& s, int first, const PeerRecord& peer) {
    s.bind(first, std::int64_t{peer.has_psk}).bind(first + 1, std::int64_t{peer.disabled});
    if (peer.expires)
        s.bind(first + 2, std::int64_t{peer.expires->time_since_epoch().count()});
    else
        s.bind_null(first + 2);
    s.bind(first + 3, as_int(peer.quota_bytes))
        .bind(first + 4, peer.quota_period)
        .bind(first + 5, as_int(peer.rate_bits));
}

constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;

std::uint64_t be64(const std::uint8_t* p) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
    return v;
}

void put_be64(std::uint8_t* p, std::uint64_t v) {
    for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<std::uint8_t>(v);
}

}  // namespace

AddressKey address_key(const IpAddress& a) {
    if (a.is_v4()) {
        const std::uint32_t v = (std::uint32_t{a.bytes[0]} << 24) |
                                (std::uint32_t{a.bytes[1]} << 16) |
                                (std::uint32_t{a.bytes[2]} << 8) | a.bytes[3];
        return {0, std::int64_t{v}};
    }
    return {static_cast<std::int64_t>(be64(a.bytes.data()) ^ kSignBit),
            static_cast<std::int64_t>(be64(a.bytes.data() + 8) ^ kSignBit)};
}

IpAddress address_of(int family, const AddressKey& key) {
    if (family == 4) return IpAddress::v4(static_cast<std::uint32_t>(key.lo));
    IpAddress a;
    a.family = Family::v6;
    put_be64(a.bytes.data(), static_cast<std::uint64_t>(key.hi) ^ kSignBit);
    put_be64(a.bytes.data() + 8, static_cast<std::uint64_t>(key.lo) ^ kSignBit);
    return a;
}

Result<PeerInserter> PeerInserter::prepare(Db& db) {
    auto peer = Stmt::prepare(db,
                              "INSERT INTO peers (name, public_key, \"group\", created, has_psk, "
                              "disabled, expires, quota_bytes, quota_period, rate_bits) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!peer) return peer.error();
    auto address = Stmt::prepare(
        db,
        "INSERT INTO addresses (peer_id, \"group\", address, family, hi, lo) VALUES (?, ?, ?, ?, "
        "?, ?)");
    if (!address) return address.error();
    auto network = Stmt::prepare(db, "INSERT INTO networks (peer_id, cidr) VALUES (?, ?)");
    if (!network) return network.error();
    return PeerInserter(db, std::move(*peer), std::move(*address), std::move(*network));
}

Status insert_peer(Db& db, const PeerRecord& peer) {
    auto inserter = PeerInserter::prepare(db);
    if (!inserter) return inserter.error();
    return inserter->insert(peer);
}

Status PeerInserter::insert(const PeerRecord& peer) {
    Db& db = *db_;
    Stmt* ins = &peer_;
    const std::string key = peer.public_key.base64();
    ins->bind(1, peer.name)
        .bind(2, key)
        .bind(3, peer.group)
        .bind(4, std::int64_t{peer.created.time_since_epoch().count()});
    bind_lifecycle(*ins, 5, peer);
    if (auto st = ins->run(); !st) return row_error(db, *ins, st.error(), peer);
    return insert_children(sqlite3_last_insert_rowid(db.get()), peer);
}

Status PeerInserter::insert_children(std::int64_t id, const PeerRecord& peer) {
    Db& db = *db_;
    for (const auto& a : {peer.address, peer.address6}) {
        if (!a) continue;
        const std::string text = a->str();
        Stmt* one = &address_;
        one->bind(1, id)
            .bind(2, peer.group)
            .bind(3, text)
            .bind(4, std::int64_t{a->is_v4() ? 4 : 6})
            .bind(5, address_key(*a).hi)
            .bind(6, address_key(*a).lo);
        if (auto st = one->run(); !st) {
            if (!unique_violation(*one)) return st;
            return Error{"address: " + text + " of \"" + peer.name +
                             "\" already belongs to peer \"" +
                             owner(db,
                                   "SELECT p.name FROM peers p JOIN addresses a ON a.peer_id = "
                                   "p.id WHERE a.address = ?",
                                   text) +
                             "\"",
                         Location{db.path()}};
        }
    }
    for (const auto& n : peer.networks) {
        Stmt* net = &network_;
        const std::string text = n.str();
        net->bind(1, id).bind(2, text);
        if (auto st = net->run(); !st) {
            if (!unique_violation(*net)) return st;
            return Error{"network: " + text + " is listed twice for \"" + peer.name + "\"",
                         Location{db.path()}};
        }
    }
    return ok_status();
}

Status insert_audit(Db& db, const Actor& actor, std::string_view peer, std::string_view fields) {
    auto stmt = Stmt::prepare(
        db, "INSERT INTO audit (time, user, command, peer, fields) VALUES (?, ?, ?, ?, ?)");
    if (!stmt) return stmt.error();
    const auto now = std::chrono::floor<seconds>(std::chrono::system_clock::now());
    stmt->bind(1, std::int64_t{now.time_since_epoch().count()})
        .bind(2, actor.user)
        .bind(3, actor.command)
        .bind(4, peer)
        .bind(5, fields);
    return stmt->run();
}

namespace {

// Every peer in id order, each record complete (addresses, networks) when
// handed to `take` as an rvalue.
template <typename Take>
Status walk_peers(Db& db, Take&& take) {
    const std::string sql = std::string("SELECT ") + kPeerColumns + " FROM peers ORDER BY id";
    auto peers = Stmt::prepare(db, sql.c_str());
    if (!peers) return peers.error();
    // The child tables in peer id order too (their indexes give it): a merge
    // of sorted cursors completes one record at a time, so nothing but the
    // current record is held however many peers there are.
    struct Cursor {
        Stmt stmt;
        const Child* child;
        bool row = false;
    };
    std::vector<Cursor> children;
    for (const Child& child : kChildren) {
        auto stmt = Stmt::prepare(db, child.all);
        if (!stmt) return stmt.error();
        children.push_back({std::move(*stmt), &child});
        auto row = children.back().stmt.step();
        if (!row) return row.error();
        children.back().row = *row;
    }
    for (;;) {
        auto row = peers->step();
        if (!row) return row.error();
        if (!*row) break;
        auto p = peer_row(db, *peers);
        if (!p) return p.error();
        const std::int64_t id = peers->int64(0);
        for (auto& c : children) {
            // Rows of a peer id below this one name no peer read (foreign keys
            // guarantee none when the caller reads in one transaction): skipped.
            while (c.row && c.stmt.int64(0) <= id) {
                if (c.stmt.int64(0) == id)
                    if (auto st = c.child->add(db, *p, c.stmt.text(1)); !st) return st;
                auto next = c.stmt.step();
                if (!next) return next.error();
                c.row = *next;
            }
        }
        if (auto st = take(std::move(*p)); !st) return st;
    }
    return ok_status();
}

}  // namespace

Status each_peer(Db& db, const Registry::Visit& visit) {
    return walk_peers(db, [&](PeerRecord&& p) { return visit(p); });
}

Result<std::size_t> count_peers(Db& db) {
    auto stmt = Stmt::prepare(db, "SELECT count(*) FROM peers");
    if (!stmt) return stmt.error();
    auto row = stmt->step();
    if (!row) return row.error();
    return *row ? static_cast<std::size_t>(stmt->int64(0)) : std::size_t{0};
}

Result<std::vector<PeerRecord>> select_peers(Db& db) {
    std::vector<PeerRecord> peers;
    auto st = walk_peers(db, [&](PeerRecord&& p) {
        peers.push_back(std::move(p));
        return ok_status();
    });
    if (!st) return st.error();
    return peers;
}

Result<std::optional<PeerRecord>> select_peer(Db& db, std::string_view name) {
    const std::string sql = std::string("SELECT ") + kPeerColumns + " FROM peers WHERE name = ?";
    auto stmt = Stmt::prepare(db, sql.c_str());
    if (!stmt) return stmt.error();
    stmt->bind(1, name);
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return std::optional<PeerRecord>{};
    auto p = peer_row(db, *stmt);
    if (!p) return p.error();
    const std::int64_t id = stmt->int64(0);
    for (const Child& child : kChildren) {
        auto rows = Stmt::prepare(db, child.of_peer);
        if (!rows) return rows.error();
        rows->bind(1, id);
        for (;;) {
            auto r = rows->step();
            if (!r) return r.error();
            if (!*r) break;
            auto st = child.add(db, *p, rows->text(0));
            if (!st) return st.error();
        }
    }
    return std::optional<PeerRecord>(std::move(*p));
}

Result<std::vector<IpAddress>> select_group_addresses(Db& db, std::string_view group) {
    auto stmt = Stmt::prepare(db, "SELECT address FROM addresses WHERE \"group\" = ?");
    if (!stmt) return stmt.error();
    stmt->bind(1, group);
    std::vector<IpAddress> out;
    for (;;) {
        auto row = stmt->step();
        if (!row) return row.error();
        if (!*row) break;
        auto a = IpAddress::parse(stmt->text(0));
        if (!a)
            return Error{
                "peer registry: an invalid address in group \"" + std::string(group) + "\"",
                Location{db.path()}};
        out.push_back(*a);
    }
    return out;
}

Result<std::optional<std::int64_t>> select_peer_id(Db& db, std::string_view name) {
    auto stmt = Stmt::prepare(db, "SELECT id FROM peers WHERE name = ?");
    if (!stmt) return stmt.error();
    stmt->bind(1, name);
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return std::optional<std::int64_t>{};
    return std::optional<std::int64_t>(stmt->int64(0));
}

Status update_peer(Db& db, std::int64_t id, const PeerRecord& peer) {
    // Children first: the group change below cascades to the addresses'
    // copy of it, which must not collide with the new ones.
    for (const char* sql :
         {"DELETE FROM addresses WHERE peer_id = ?", "DELETE FROM networks WHERE peer_id = ?"}) {
        auto del = Stmt::prepare(db, sql);
        if (!del) return del.error();
        del->bind(1, id);
        if (auto st = del->run(); !st) return st;
    }
    auto upd = Stmt::prepare(db,
                             "UPDATE peers SET name = ?, public_key = ?, \"group\" = ?, "
                             "has_psk = ?, disabled = ?, expires = ?, quota_bytes = ?, "
                             "quota_period = ?, rate_bits = ? WHERE id = ?");
    if (!upd) return upd.error();
    upd->bind(1, peer.name).bind(2, peer.public_key.base64()).bind(3, peer.group);
    bind_lifecycle(*upd, 4, peer);
    upd->bind(10, id);
    if (auto st = upd->run(); !st) return row_error(db, *upd, st.error(), peer);
    auto inserter = PeerInserter::prepare(db);
    if (!inserter) return inserter.error();
    return inserter->insert_children(id, peer);
}

Status insert_pending(Db& db, std::string_view peer, const std::optional<PeerRecord>& before) {
    auto stmt = Stmt::prepare(db, "INSERT INTO pending (peer, before) VALUES (?, ?)");
    if (!stmt) return stmt.error();
    stmt->bind(1, peer);
    if (before)
        stmt->bind(2, format_peers_text({*before}));
    else
        stmt->bind_null(2);
    return stmt->run();
}

Result<std::vector<Unsettled>> select_pending(Db& db) {
    auto stmt = Stmt::prepare(db, "SELECT peer, before FROM pending ORDER BY id");
    if (!stmt) return stmt.error();
    std::vector<Unsettled> out;
    for (;;) {
        auto row = stmt->step();
        if (!row) return row.error();
        if (!*row) break;
        Unsettled u{stmt->text(0), std::nullopt};
        if (auto text = stmt->optional_text(1)) {
            auto before = parse_peers_text(*text, db.path() + " (pending)");
            if (!before) return before.error();
            if (before->size() == 1) u.before = std::move(before->front());
        }
        out.push_back(std::move(u));
    }
    return out;
}

Status delete_pending(Db& db, std::string_view peer) {
    auto stmt = Stmt::prepare(db, "DELETE FROM pending WHERE peer = ?");
    if (!stmt) return stmt.error();
    stmt->bind(1, peer);
    return stmt->run();
}

Result<std::vector<AuditEntry>> select_audit(Db& db, const AuditFilter& filter) {
    auto stmt = Stmt::prepare(db,
                              "SELECT time, user, command, peer, fields FROM audit "
                              "WHERE (?1 IS NULL OR peer = ?1) AND (?2 IS NULL OR time >= ?2) "
                              "ORDER BY id");
    if (!stmt) return stmt.error();
    if (filter.peer)
        stmt->bind(1, *filter.peer);
    else
        stmt->bind_null(1);
    if (filter.since)
        stmt->bind(2, std::int64_t{filter.since->time_since_epoch().count()});
    else
        stmt->bind_null(2);
    std::vector<AuditEntry> out;
    for (;;) {
        auto row = stmt->step();
        if (!row) return row.error();
        if (!*row) break;
        out.push_back(AuditEntry{sys_seconds{seconds{stmt->int64(0)}}, stmt->text(1), stmt->text(2),
                                 stmt->text(3), stmt->text(4)});
    }
    return out;
}

Status set_meta(Db& db, std::string_view key, std::string_view value) {
    auto stmt = Stmt::prepare(db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
    if (!stmt) return stmt.error();
    stmt->bind(1, key).bind(2, value);
    return stmt->run();
}

Result<std::optional<std::string>> get_meta(Db& db, std::string_view key) {
    auto stmt = Stmt::prepare(db, "SELECT value FROM meta WHERE key = ?");
    if (!stmt) return stmt.error();
    stmt->bind(1, key);
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return std::optional<std::string>{};
    return std::optional<std::string>(stmt->text(0));
}

}  // namespace vpngw::registry::sqlite
