// The line formats of an earlier release's state directory, read once to
// migrate it (legacy_import.hpp): peers.tsv, a header line then one peer a
// line, tab-separated, "-" for an absent value,
//
//   vpngw-peers 2
//   # snapshot 3f9c0a7d12e45b60
//   alice	staff	xTIBA5rb...=	10.8.1.2	fd08:0:0:1::2	psk	2024-05-01T12:00:00Z
//
// and peers.journal, the changes made since that snapshot,
//
//   vpngw-peers-journal 1 3f9c0a7d12e45b60     ("-": a snapshot without an id)
//   add	<a peers.tsv line>
//   remove	alice
//
// A journal naming another snapshot was folded into it already; a last line
// without its newline was cut by a crash before its command succeeded.
#include <charconv>
#include <unordered_map>
#include <unordered_set>

#include "registry/legacy_formats.hpp"
#include "util/zero_key.hpp"

namespace vpngw::registry::legacy {
namespace {

constexpr std::string_view kHeader = "vpngw-peers 2";
constexpr std::string_view kJournalHeader = "vpngw-peers-journal 1 ";
constexpr std::string_view kSnapshotPrefix = "# snapshot ";
constexpr std::string_view kAbsent = "-";
constexpr std::size_t kFields = 7;
constexpr const char* kFieldNames[kFields] = {"name",     "group", "public_key", "address",
                                              "address6", "psk",   "created"};

struct AddressHash {
    std::size_t operator()(const IpAddress& a) const {
        return std::hash<std::string_view>()(
            std::string_view(reinterpret_cast<const char*>(a.bytes.data()), a.bytes.size()));
    }
};

bool digits(std::string_view s, std::size_t at, std::size_t n, int& value) {
    const char* first = s.data() + at;
    auto [end, ec] = std::from_chars(first, first + n, value);
    return ec == std::errc() && end == first + n;
}

// Exactly the form the old writer used: YYYY-MM-DDTHH:MM:SSZ.
std::optional<std::chrono::sys_seconds> parse_utc(std::string_view s) {
    using namespace std::chrono;
    if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':' || s[19] != 'Z')
        return std::nullopt;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d) ||
        !digits(s, 11, 2, h) || !digits(s, 14, 2, mi) || !digits(s, 17, 2, sec))
        return std::nullopt;
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                             day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
    return sys_seconds{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{sec};
}

// One peers.tsv line (also the payload of a journal "add").
Result<PeerRecord> parse_line(std::string_view line, const std::string& file, int line_no,
                              int column_offset) {
    std::string_view value[kFields];
    int column[kFields] = {};
    std::size_t count = 0, start = 0;
    for (;;) {
        const std::size_t tab = line.find('\t', start);
        const std::size_t end = tab == std::string_view::npos ? line.size() : tab;
        if (count < kFields) {
            value[count] = line.substr(start, end - start);
            column[count] = static_cast<int>(start) + 1 + column_offset;
        }
        ++count;
        if (tab == std::string_view::npos) break;
        start = tab + 1;
    }
    if (count != kFields)
        return Error{
            "a peer line has 7 tab-separated fields (name group public_key address "
            "address6 psk created), this one " +
                std::to_string(count),
            Location{file, line_no, 1 + column_offset}};
    auto fail = [&](std::size_t f, const std::string& problem) {
        return Error{std::string(kFieldNames[f]) + ": " + problem,
                     Location{file, line_no, column[f]}};
    };
    PeerRecord p;
    if (!store::is_valid_name(value[0]))
        return fail(0, "invalid peer name " + store::quoted_excerpt(value[0]));
    p.name = value[0];
    if (!store::is_valid_name(value[1]))
        return fail(1, "invalid group name " + store::quoted_excerpt(value[1]));
    p.group = value[1];
    auto key = PublicKey::from_base64(value[2]);
    if (!key) return fail(2, "not 44 characters of base64 of 32 bytes");
    if (is_all_zero(*key)) return fail(2, "the all-zero key, which no peer has");
    p.public_key = *key;
    for (std::size_t f : {std::size_t{3}, std::size_t{4}}) {
        if (value[f] == kAbsent) continue;
        const Family family = f == 3 ? Family::v4 : Family::v6;
        auto a = IpAddress::parse(value[f]);
        if (!a || a->family != family)
            return fail(f, std::string("must be an IPv") + (f == 3 ? "4" : "6") +
                               " address or \"-\", not " + store::quoted_excerpt(value[f]));
        (f == 3 ? p.address : p.address6) = *a;
    }
    if (value[5] == "psk")
        p.has_psk = true;
    else if (value[5] != kAbsent)
        return fail(5, "must be \"psk\" or \"-\"");
    auto created = parse_utc(value[6]);
    if (!created) return fail(6, "must be a UTC time such as 2024-05-01T12:00:00Z");
    p.created = *created;
    return p;
}

// Lines without their "\n" (and a CR before it); the last one flagged when
// it had no newline.
template <class F>
Status for_each_line(std::string_view text, F&& f) {
    int line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (auto st = f(line, line_no, nl == std::string_view::npos); !st) return st;
    }
    return ok_status();
}

// Names, keys and addresses are unique among `peers`; the first repeat is
// reported at the line `where` gives for it.
template <class Where>
Status check_unique(const std::vector<PeerRecord>& peers, Where&& where) {
    std::unordered_set<std::string_view> names;
    std::unordered_set<PublicKey, PublicKeyHash> keys;
    std::unordered_set<IpAddress, AddressHash> addresses;
    names.reserve(peers.size());
    keys.reserve(peers.size());
    addresses.reserve(2 * peers.size());
    for (std::size_t i = 0; i < peers.size(); ++i) {
        const PeerRecord& p = peers[i];
        if (!names.insert(p.name).second)
            return Error{"name: duplicate peer name \"" + p.name + "\"", where(i, 0)};
        if (!keys.insert(p.public_key).second)
            return Error{"public_key: peer " + p.name + " repeats another peer's public key",
                         where(i, 2)};
        if (p.address && !addresses.insert(*p.address).second)
            return Error{"address: peer " + p.name + " repeats address " + p.address->str(),
                         where(i, 3)};
        if (p.address6 && !addresses.insert(*p.address6).second)
            return Error{"address6: peer " + p.name + " repeats address " + p.address6->str(),
                         where(i, 4)};
    }
    return ok_status();
}

}  // namespace

std::string_view snapshot_id(std::string_view text) {
    const std::size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return {};
    text.remove_prefix(nl + 1);
    if (!text.starts_with(kSnapshotPrefix)) return {};
    text.remove_prefix(kSnapshotPrefix.size());
    return text.substr(0, text.find('\n'));
}

Result<std::vector<PeerRecord>> parse_tsv(std::string_view text, const std::string& file) {
    std::vector<PeerRecord> peers;
    std::vector<int> line_of;
    bool header = false;
    auto st = for_each_line(text, [&](std::string_view line, int line_no, bool) -> Status {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!header) {
            if (line != kHeader)
                return Error{"not a vpngw peers file of this version (the first line must be \"" +
                                 std::string(kHeader) + "\")",
                             Location{file, line_no, 1}};
            header = true;
            return ok_status();
        }
        if (line.empty() || line.front() == '#') return ok_status();
        auto p = parse_line(line, file, line_no, 0);
        if (!p) return p.error();
        peers.push_back(std::move(*p));
        line_of.push_back(line_no);
        return ok_status();
    });
    if (!st) return st.error();
    if (!header)
        return Error{"empty peers file (no \"" + std::string(kHeader) + "\" line)",
                     Location{file, 1, 1}};
    if (auto u = check_unique(peers,
                              [&](std::size_t i, int) {
                                  return Location{file, line_of[i], 1};
                              });
        !u)
        return u.error();
    return peers;
}

Result<Journal> parse_journal(std::string_view text, const std::string& file) {
    Journal out;
    bool header = false;
    auto st = for_each_line(text, [&](std::string_view line, int line_no, bool last) -> Status {
        if (last) return ok_status();  // cut by a crash: that command never succeeded
        if (!header) {
            if (!line.starts_with(kJournalHeader) || line.size() == kJournalHeader.size())
                return Error{
                    "not a vpngw peers journal of this version (the first line must be "
                    "\"" +
                        std::string(kJournalHeader) + "<snapshot>\")",
                    Location{file, line_no, 1}};
            out.snapshot = line.substr(kJournalHeader.size());
            header = true;
            return ok_status();
        }
        JournalEntry e;
        e.line_no = line_no;
        if (line.starts_with("add\t")) {
            auto p = parse_line(line.substr(4), file, line_no, 4);
            if (!p) return p.error();
            e.name = p->name;
            e.added = std::move(*p);
        } else if (line.starts_with("remove\t")) {
            e.name = line.substr(7);
            if (!store::is_valid_name(e.name))
                return Error{"name: invalid peer name " + store::quoted_excerpt(e.name),
                             Location{file, line_no, 8}};
        } else {
            return Error{"a journal line starts with \"add\" or \"remove\" and a tab",
                         Location{file, line_no, 1}};
        }
        out.entries.push_back(std::move(e));
        return ok_status();
    });
    if (!st) return st.error();
    return out;
}

Status replay(std::vector<PeerRecord>& peers, const Journal& journal, const std::string& file) {
    std::unordered_map<std::string, std::size_t> index;
    index.reserve(peers.size() + journal.entries.size());
    for (std::size_t i = 0; i < peers.size(); ++i) index.emplace(peers[i].name, i);
    std::vector<bool> gone(peers.size(), false);
    std::vector<int> line_of(peers.size(), 0);
    for (const auto& e : journal.entries) {
        auto it = index.find(e.name);
        if (e.added) {
            if (it != index.end())
                return Error{"name: duplicate peer name \"" + e.name + "\"",
                             Location{file, e.line_no, 1}};
            index.emplace(e.name, peers.size());
            peers.push_back(*e.added);
            gone.push_back(false);
            line_of.push_back(e.line_no);
        } else {
            if (it == index.end())
                return Error{"removes peer \"" + e.name + "\", which does not exist",
                             Location{file, e.line_no, 1}};
            gone[it->second] = true;
            index.erase(it);
        }
    }
    std::vector<PeerRecord> kept;
    std::vector<int> kept_line;
    kept.reserve(peers.size());
    for (std::size_t i = 0; i < peers.size(); ++i)
        if (!gone[i]) {
            kept.push_back(std::move(peers[i]));
            kept_line.push_back(line_of[i]);
        }
    peers = std::move(kept);
    return check_unique(peers, [&](std::size_t i, int) {
        return kept_line[i] ? Location{file, kept_line[i], 1} : Location{file};
    });
}

}  // namespace vpngw::registry::legacy
