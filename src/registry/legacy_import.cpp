#include "registry/legacy_import.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/atomic_file.hpp"
#include "store/peer_store.hpp"
#include "store/peers_journal.hpp"
#include "util/unique_fd.hpp"

namespace vpngw::registry {
namespace {

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

// A snapshot id is "-" or what save_peers writes: 16 lowercase hex digits.
// Returns the 0-based offset of the first character that breaks that.
std::optional<std::size_t> bad_snapshot_char(std::string_view id) {
    if (id == store::kNoSnapshot) return std::nullopt;
    for (std::size_t i = 0; i < id.size(); ++i) {
        const char c = id[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return i;
    }
    if (id.size() != 16) return id.size();
    return std::nullopt;
}

Status check_journal_header(const std::string& file) {
    auto text = store::read_file_if_exists(file);
    if (!text) return text.error();
    if (!*text) return ok_status();
    auto journal = store::parse_journal(**text, file);
    if (!journal) return journal.error();
    const std::string_view id = journal->snapshot;
    if (auto bad = bad_snapshot_char(id)) {
        // The id starts after "vpngw-peers-journal 1 " on line 1.
        const int column =
            static_cast<int>(std::string_view("vpngw-peers-journal 1 ").size() + *bad) + 1;
        const bool cr = *bad < id.size() && id[*bad] == '\r';
        return Error{std::string("snapshot: the journal's header names no valid snapshot id") +
                         (cr ? " (the line ends in CR: edited on another system?)" : "") +
                         "; refusing to migrate rather than drop its changes",
                     Location{file, 1, column}};
    }
    return ok_status();
}

PeerRecord from_stored(const store::StoredPeer& p) {
    PeerRecord r;
    r.name = p.name;
    r.group = p.group;
    r.public_key = p.public_key;
    r.address = p.address;
    r.address6 = p.address6;
    r.has_psk = p.has_psk;
    r.created = p.created;
    return r;
}

}  // namespace

Result<std::optional<LegacyState>> read_legacy_state(const std::string& state_dir) {
    const store::StatePaths paths{state_dir};
    LegacyState legacy;
    for (const std::string& f :
         {paths.peers_file(), paths.journal_file(), paths.legacy_peers_file()})
        if (exists(f)) legacy.files.push_back(f);
    if (legacy.files.empty()) return std::optional<LegacyState>{};

    if (auto st = check_journal_header(paths.journal_file()); !st) return st.error();
    auto state = store::load_peers(paths);
    if (!state) return state.error();
    legacy.peers.reserve(state->peers.size());
    for (const auto& p : state->peers) legacy.peers.push_back(from_stored(p));
    for (const auto& f : legacy.files) {
        legacy.summary += legacy.summary.empty() ? "from " : " + ";
        legacy.summary += f.substr(f.rfind('/') + 1);
    }
    legacy.summary += ": " + std::to_string(legacy.peers.size()) + " peers";
    return std::optional<LegacyState>(std::move(legacy));
}

Status rename_migrated(const std::string& state_dir, const std::vector<std::string>& files) {
    for (const auto& f : files) {
        const std::string to = f + ".migrated";
        if (::rename(f.c_str(), to.c_str()) != 0 && errno != ENOENT)
            return Error{"cannot rename " + f + " to " + to + ": " + std::strerror(errno)};
    }
    UniqueFd dir(::open(state_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir || ::fsync(dir.get()) != 0)
        return Error{"cannot fsync " + state_dir + ": " + std::strerror(errno)};
    return ok_status();
}

}  // namespace vpngw::registry
