#include "registry/legacy_import.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "registry/legacy_formats.hpp"
#include "store/atomic_file.hpp"
#include "util/unique_fd.hpp"

namespace vpngw::registry {
namespace {

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

// A snapshot id is "-" or what the old writer wrote: 16 lowercase hex
// digits. Returns the 0-based offset of the first character that breaks that.
std::optional<std::size_t> bad_snapshot_char(std::string_view id) {
    if (id == legacy::kNoSnapshot) return std::nullopt;
    for (std::size_t i = 0; i < id.size(); ++i) {
        const char c = id[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return i;
    }
    if (id.size() != 16) return id.size();
    return std::nullopt;
}

// The journal, refused when its header names no valid snapshot id: the old
// reader took that for a journal folded in already and dropped its changes.
Result<std::optional<legacy::Journal>> read_journal(const std::string& file, std::string& text) {
    auto read = store::read_file_if_exists(file);
    if (!read) return read.error();
    if (!*read) return std::optional<legacy::Journal>{};
    text = std::move(**read);
    auto journal = legacy::parse_journal(text, file);
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
    return std::optional<legacy::Journal>(std::move(*journal));
}

// peers.tsv (else peers.toml) with peers.journal replayed when it continues
// that snapshot.
Result<std::vector<PeerRecord>> read_peers(const store::StatePaths& paths) {
    std::vector<PeerRecord> peers;
    std::string id(legacy::kNoSnapshot);
    auto tsv = store::read_file_if_exists(paths.peers_file());
    if (!tsv) return tsv.error();
    if (*tsv) {
        auto parsed = legacy::parse_tsv(**tsv, paths.peers_file());
        if (!parsed) return parsed.error();
        peers = std::move(*parsed);
        if (auto named = legacy::snapshot_id(**tsv); !named.empty()) id = named;
    } else {
        auto toml = store::read_file_if_exists(paths.legacy_peers_file());
        if (!toml) return toml.error();
        if (*toml) {
            auto parsed = legacy::parse_toml(**toml, paths.legacy_peers_file());
            if (!parsed) return parsed.error();
            peers = std::move(*parsed);
        }
    }
    std::string text;
    auto journal = read_journal(paths.peers_journal_file(), text);
    if (!journal) return journal.error();
    if (*journal && (*journal)->snapshot == id)
        if (auto st = legacy::replay(peers, **journal, paths.peers_journal_file()); !st)
            return st.error();
    return peers;
}

}  // namespace

Result<std::optional<LegacyState>> read_legacy_state(const std::string& state_dir) {
    const store::StatePaths paths{state_dir};
    LegacyState legacy;
    for (const std::string& f :
         {paths.peers_file(), paths.peers_journal_file(), paths.legacy_peers_file()})
        if (exists(f)) legacy.files.push_back(f);
    if (legacy.files.empty()) return std::optional<LegacyState>{};
    auto peers = read_peers(paths);
    if (!peers) return peers.error();
    legacy.peers = std::move(*peers);
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
