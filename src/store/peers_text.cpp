#include "store/peers_text.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

#include "store/excerpt.hpp"
#include "util/repeats.hpp"
#include "util/zero_key.hpp"

namespace vpngw::store {

namespace {

constexpr std::string_view kHeader = "vpngw-peers 2";
constexpr std::string_view kAbsent = "-";
constexpr std::string_view kPsk = "psk";
constexpr std::string_view kSnapshotPrefix = "# snapshot ";
constexpr std::size_t kFields = 7;
constexpr std::array<const char*, kFields> kFieldNames = {
    "name", "group", "public_key", "address", "address6", "psk", "created"};

void append_2(std::string& out, unsigned v) {
    out += static_cast<char>('0' + v / 10 % 10);
    out += static_cast<char>('0' + v % 10);
}

// RFC 3339 in UTC ("2024-05-01T12:00:00Z"), without printf: 10,000 of them
// are formatted on every add.
void append_time(std::string& out, std::chrono::sys_seconds t) {
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss hms{t - day};
    const int year = static_cast<int>(ymd.year());
    if (year < 0 || year > 9999) {
        out += "0000-01-01T00:00:00Z";  // unreachable for times vpngw writes (now)
        return;
    }
    append_2(out, static_cast<unsigned>(year / 100));
    append_2(out, static_cast<unsigned>(year % 100));
    out += '-';
    append_2(out, static_cast<unsigned>(ymd.month()));
    out += '-';
    append_2(out, static_cast<unsigned>(ymd.day()));
    out += 'T';
    append_2(out, static_cast<unsigned>(hms.hours().count()));
    out += ':';
    append_2(out, static_cast<unsigned>(hms.minutes().count()));
    out += ':';
    append_2(out, static_cast<unsigned>(hms.seconds().count()));
    out += 'Z';
}

bool digits(std::string_view s, std::size_t at, std::size_t n, int& value) {
    const char* first = s.data() + at;
    auto [end, ec] = std::from_chars(first, first + n, value);
    return ec == std::errc() && end == first + n;
}

// Exactly the form append_time writes: YYYY-MM-DDTHH:MM:SSZ.
std::optional<std::chrono::sys_seconds> parse_time(std::string_view s) {
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

// One line's fields and where each starts (1-based column).
struct Fields {
    std::array<std::string_view, kFields> value;
    std::array<int, kFields> column{};
};

class LineParser {
  public:
    LineParser(const std::string& file, int line, const Fields& f)
        : file_(file), line_(line), f_(f) {}

    Error error(std::size_t field, const std::string& problem) const {
        return Error{std::string(kFieldNames[field]) + ": " + problem,
                     Location{file_, line_, f_.column[field]}};
    }

    Result<StoredPeer> peer() const {
        StoredPeer p;
        if (!is_valid_name(f_.value[0]))
            return error(0, "invalid peer name " + quoted_excerpt(f_.value[0]));
        p.name = f_.value[0];
        if (!is_valid_name(f_.value[1]))
            return error(1, "invalid group name " + quoted_excerpt(f_.value[1]));
        p.group = f_.value[1];
        auto key = PublicKey::from_base64(f_.value[2]);
        if (!key) return error(2, "not 44 characters of base64 of 32 bytes");
        if (is_all_zero(*key)) return error(2, "the all-zero key, which no peer has");
        p.public_key = *key;
        if (auto st = address(3, Family::v4, p.address); !st) return st.error();
        if (auto st = address(4, Family::v6, p.address6); !st) return st.error();
        if (f_.value[5] == kPsk)
            p.has_psk = true;
        else if (f_.value[5] != kAbsent)
            return error(5, "must be \"psk\" or \"-\"");
        auto created = parse_time(f_.value[6]);
        if (!created) return error(6, "must be a UTC time such as 2024-05-01T12:00:00Z");
        p.created = *created;
        return p;
    }

  private:
    Status address(std::size_t field, Family family, std::optional<IpAddress>& slot) const {
        const std::string_view text = f_.value[field];
        if (text == kAbsent) return ok_status();
        auto a = IpAddress::parse(text);
        if (!a || a->family != family)
            return error(field, std::string("must be an IPv") + (family == Family::v4 ? "4" : "6") +
                                    " address or \"-\", not " + quoted_excerpt(text));
        slot = *a;
        return ok_status();
    }

    const std::string& file_;
    int line_;
    const Fields& f_;
};

// Splits on tabs; false when the count is not kFields.
bool split(std::string_view line, Fields& out, std::size_t& count) {
    count = 0;
    std::size_t start = 0;
    while (true) {
        const std::size_t tab = line.find('\t', start);
        const std::size_t end = tab == std::string_view::npos ? line.size() : tab;
        if (count < kFields) {
            out.value[count] = line.substr(start, end - start);
            out.column[count] = static_cast<int>(start) + 1;
        }
        ++count;
        if (tab == std::string_view::npos) break;
        start = tab + 1;
    }
    return count == kFields;
}

Result<StoredPeer> parse_fields(std::string_view line, const std::string& file, int line_no,
                                Fields& f, std::size_t& count) {
    if (!split(line, f, count))
        return Error{"a peer line has " + std::to_string(kFields) +
                         " tab-separated fields (name group public_key address address6 psk "
                         "created), this one " +
                         std::to_string(count),
                     Location{file, line_no, 1}};
    return LineParser(file, line_no, f).peer();
}

}  // namespace

Result<StoredPeer> parse_peer_line(std::string_view line, const std::string& file, int line_no) {
    Fields f;
    std::size_t count = 0;
    return parse_fields(line, file, line_no, f, count);
}

std::string_view snapshot_id(std::string_view text) {
    const std::size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return {};
    text.remove_prefix(nl + 1);
    if (!text.starts_with(kSnapshotPrefix)) return {};
    text.remove_prefix(kSnapshotPrefix.size());
    return text.substr(0, text.find('\n'));
}

// The first repeat in file order among the parsed peers, as checking each
// line against the ones before it (name, key, address, address6) finds it;
// an error for that line, or ok. earlier_repeats instead of hash sets: a set
// of 50,000 names, keys and addresses allocated a node for each, a tenth of
// a no-op `up` at 50,000 peers.
struct Repeat {
    std::size_t peer = SIZE_MAX;  // the later line of the first repeat
    std::size_t field = 0;        // 0 name, 2 key, 3 address, 4 address6
};

void first_repeat(const std::vector<std::size_t>& earlier, std::size_t field, Repeat& first) {
    for (std::size_t i = 0; i < earlier.size() && i <= first.peer; ++i)
        if (earlier[i] != kNoRepeat) {
            if (i < first.peer || field < first.field) first = {i, field};
            return;
        }
}

Status check_repeats(const std::vector<StoredPeer>& peers,
                     const std::vector<std::string_view>& lines,
                     const std::vector<int>& line_numbers, const std::string& file) {
    const std::size_t n = peers.size();
    Repeat first;
    const auto names = earlier_repeats(
        n, [&](std::size_t i) { return std::hash<std::string_view>{}(peers[i].name); },
        [&](std::size_t i, std::size_t j) { return peers[i].name == peers[j].name; });
    first_repeat(names, 0, first);
    const auto keys = earlier_repeats(
        n, [&](std::size_t i) { return hash_words(peers[i].public_key.bytes.data(), 32); },
        [&](std::size_t i, std::size_t j) { return peers[i].public_key == peers[j].public_key; });
    first_repeat(keys, 2, first);
    // Among the peers that have one (an absent address repeats nothing).
    for (const bool v4 : {true, false}) {
        std::vector<const IpAddress*> addresses(n, nullptr);
        std::vector<std::size_t> present;  // indexes of the peers with an address
        present.reserve(n);
        for (std::size_t i = 0; i < n; ++i)
            if (const auto& a = v4 ? peers[i].address : peers[i].address6) {
                addresses[i] = &*a;
                present.push_back(i);
            }
        const auto repeats = earlier_repeats(
            present.size(),
            [&](std::size_t k) { return hash_words(addresses[present[k]]->bytes.data(), 16); },
            [&](std::size_t k, std::size_t l) {
                return *addresses[present[k]] == *addresses[present[l]];
            });
        std::vector<std::size_t> earlier(n, kNoRepeat);
        for (std::size_t k = 0; k < present.size(); ++k)
            if (repeats[k] != kNoRepeat) earlier[present[k]] = present[repeats[k]];
        first_repeat(earlier, v4 ? 3 : 4, first);
    }
    if (first.peer == SIZE_MAX) return ok_status();
    const StoredPeer& p = peers[first.peer];
    Fields f;
    std::size_t count = 0;
    split(lines[first.peer], f, count);
    LineParser parser(file, line_numbers[first.peer], f);
    switch (first.field) {
        case 0:
            return parser.error(0, "duplicate peer name \"" + p.name + "\"");
        case 2:
            return parser.error(2, "peer " + p.name + " repeats another peer's public key");
        case 3:
            return parser.error(3, "peer " + p.name + " repeats address " + p.address->str());
        default:
            return parser.error(4, "peer " + p.name + " repeats address " + p.address6->str());
    }
}

Result<PeerState> parse_peers(std::string_view text, const std::string& file) {
    PeerState state;
    // A peer line is ~110 bytes.
    const std::size_t expect = text.size() / 100 + 1;
    state.peers.reserve(expect);
    std::vector<std::string_view> lines;  // of the peers, for the column of an error
    std::vector<int> line_numbers;
    lines.reserve(expect);
    line_numbers.reserve(expect);

    int line_no = 0;
    bool header = false;
    while (!text.empty()) {
        ++line_no;
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!header) {
            if (line != kHeader)
                return Error{"not a vpngw peers file of this version (the first line must be \"" +
                                 std::string(kHeader) + "\")",
                             Location{file, line_no, 1}};
            header = true;
            continue;
        }
        if (line.empty() || line.front() == '#') continue;

        Fields f;
        std::size_t count = 0;
        auto p = parse_fields(line, file, line_no, f, count);
        if (!p) {
            // A repeat on an earlier line is the first problem of the file.
            if (auto st = check_repeats(state.peers, lines, line_numbers, file); !st)
                return st.error();
            return p.error();
        }
        state.peers.push_back(std::move(*p));
        lines.push_back(line);
        line_numbers.push_back(line_no);
    }
    if (!header)
        return Error{"empty peers file (no \"" + std::string(kHeader) + "\" line)",
                     Location{file, 1, 1}};
    if (auto st = check_repeats(state.peers, lines, line_numbers, file); !st) return st.error();
    return state;
}

void append_peer_line(std::string& out, const StoredPeer& p) {
    out += p.name;
    out += '\t';
    out += p.group;
    out += '\t';
    out += p.public_key.base64();
    out += '\t';
    out += p.address ? p.address->str() : std::string(kAbsent);
    out += '\t';
    out += p.address6 ? p.address6->str() : std::string(kAbsent);
    out += '\t';
    out += p.has_psk ? kPsk : kAbsent;
    out += '\t';
    append_time(out, p.created);
}

std::string format_peers(const PeerState& state, std::string_view id) {
    std::string out;
    out.reserve(256 + state.peers.size() * 128);
    out += kHeader;
    out += '\n';
    if (!id.empty()) {
        out += kSnapshotPrefix;
        out += id;
        out += '\n';
    }
    out +=
        "# Peers added with `vpngw peer add`; written by vpngw, which holds <state_dir>/lock\n"
        "# while changing it. One peer a line, tab-separated, \"-\" = none:\n"
        "# name\tgroup\tpublic_key\taddress\taddress6\tpsk\tcreated\n";
    for (const auto& p : state.peers) {
        append_peer_line(out, p);
        out += '\n';
    }
    return out;
}

}  // namespace vpngw::store
