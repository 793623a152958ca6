#include "store/peers_scan.hpp"

#include <cstring>
#include <unordered_map>

#include "store/atomic_file.hpp"
#include "store/peer_store.hpp"
#include "store/peers_text.hpp"

namespace vpngw::store {
namespace {

// Splits a peer line on its six tabs (memchr: this runs over every line).
bool split_raw(std::string_view line, RawPeer& p) {
    std::string_view* fields[] = {&p.name, &p.group, &p.public_key, &p.address, &p.address6};
    const char* at = line.data();
    const char* end = at + line.size();
    for (auto* field : fields) {
        const void* tab = std::memchr(at, '\t', static_cast<std::size_t>(end - at));
        if (!tab) return false;
        const char* t = static_cast<const char*>(tab);
        *field = std::string_view(at, static_cast<std::size_t>(t - at));
        at = t + 1;
    }
    // psk and created follow: exactly one more tab.
    const void* tab = std::memchr(at, '\t', static_cast<std::size_t>(end - at));
    if (!tab) return false;
    const char* t = static_cast<const char*>(tab) + 1;
    return std::memchr(t, '\t', static_cast<std::size_t>(end - t)) == nullptr;
}

Error bad_line(const std::string& file, int line_no) {
    return Error{
        "a peer line has 7 tab-separated fields (name group public_key address address6 psk "
        "created)",
        Location{file, line_no, 1}};
}

}  // namespace

Result<StoredPeerText> StoredPeerText::read(const StatePaths& paths) {
    StoredPeerText t;
    t.snapshot_file_ = paths.peers_file();
    t.journal_file_ = paths.peers_journal_file();
    auto snapshot = read_file_if_exists(t.snapshot_file_);
    if (!snapshot) return snapshot.error();
    if (*snapshot) {
        t.snapshot_ = std::make_unique<std::string>(std::move(**snapshot));
        const std::string_view id = store::snapshot_id(*t.snapshot_);
        t.snapshot_id_ = id.empty() ? std::string(kNoSnapshot) : std::string(id);
    } else {
        t.snapshot_ = std::make_unique<std::string>();
        t.snapshot_id_ = kNoSnapshot;
        auto legacy = read_file_if_exists(paths.legacy_peers_file());
        if (!legacy) return legacy.error();
        t.legacy_ = legacy->has_value();
    }
    auto journal = read_file_if_exists(t.journal_file_);
    if (!journal) return journal.error();
    if (*journal) {
        t.journal_ = std::make_unique<std::string>(std::move(**journal));
        auto parsed = parse_journal(*t.journal_, t.journal_file_);
        if (!parsed) return parsed.error();
        if (parsed->snapshot == t.snapshot_id_) t.changes_ = std::move(*parsed);
    }
    return t;
}

bool StoredPeerText::wants_compaction() const {
    const std::size_t entries = changes_.entries.size();
    const std::size_t snapshot_peers = snapshot_->size() / 100;  // a line is ~110 bytes
    return entries >= 4096 || (entries >= 64 && entries > snapshot_peers / 8);
}

Status StoredPeerText::for_each(const std::function<void(const RawPeer&)>& f) const {
    // The journal's last word on each name it touches.
    std::unordered_map<std::string_view, const JournalEntry*> last;
    for (const auto& e : changes_.entries) last[e.name] = &e;

    std::string_view text = *snapshot_;
    int line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const void* nl = std::memchr(text.data(), '\n', text.size());
        const std::size_t len =
            nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) : text.size();
        std::string_view line = text.substr(0, len);
        text.remove_prefix(nl ? len + 1 : len);
        if (line_no == 1 || line.empty() || line.front() == '#') continue;  // header, comments
        if (line.back() == '\r') line.remove_suffix(1);
        RawPeer p;
        if (!split_raw(line, p)) return bad_line(snapshot_file_, line_no);
        if (!last.empty() && last.contains(p.name)) continue;
        p.line = line;
        p.file = &snapshot_file_;
        p.line_no = line_no;
        f(p);
    }
    for (const auto& e : changes_.entries) {
        if (e.op != JournalEntry::Op::add || last.at(e.name) != &e) continue;
        RawPeer p;
        if (!split_raw(e.line, p)) return bad_line(journal_file_, e.line_no);
        p.line = e.line;
        p.file = &journal_file_;
        p.line_no = e.line_no;
        f(p);
    }
    return ok_status();
}

Result<StoredPeerText> read_for_change(const StatePaths& paths) {
    auto text = StoredPeerText::read(paths);
    if (!text || !text->legacy()) return text;
    auto state = load_peers(paths);
    if (!state) return state.error();
    if (auto st = save_peers(paths, *state); !st) return st.error();
    return StoredPeerText::read(paths);
}

Status compact_when_due(const StoredPeerText& text, const StatePaths& paths) {
    return compact_when_due(text.wants_compaction(), paths);
}

Status compact_when_due(bool due, const StatePaths& paths) {
    if (!due) return ok_status();
    if (auto st = compact_peers(paths); !st)
        return Error{"folding " + paths.peers_journal_file() + " into " + paths.peers_file() +
                     " failed (it stays as it is): " + st.error().message};
    return ok_status();
}

}  // namespace vpngw::store
