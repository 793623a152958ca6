#include "store/peer_store.hpp"

#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <unordered_map>
#include <unordered_set>

#include "store/atomic_file.hpp"
#include "store/peers_index.hpp"
#include "store/peers_journal.hpp"
#include "store/peers_text.hpp"
#include "store/peers_toml.hpp"

namespace vpngw::store {

const StoredPeer* PeerState::find(const std::string& name) const {
    for (const auto& p : peers)
        if (p.name == name) return &p;
    return nullptr;
}

namespace {

struct AddressHash {
    std::size_t operator()(const IpAddress& a) const {
        return std::hash<std::string_view>()(
            std::string_view(reinterpret_cast<const char*>(a.bytes.data()), a.bytes.size()));
    }
};

Error journal_error(const std::string& file, const JournalEntry& e, const std::string& problem) {
    return Error{problem, Location{file, e.line_no, 1}};
}

// Applies the journal's changes in order. The snapshot's own lines were
// checked by parse_peers; what the journal adds is checked against the result.
Status replay(PeerState& state, const JournalText& journal, const std::string& file) {
    std::unordered_map<std::string, std::size_t> index;
    index.reserve(state.peers.size() + journal.entries.size());
    for (std::size_t i = 0; i < state.peers.size(); ++i) index.emplace(state.peers[i].name, i);
    std::vector<bool> gone(state.peers.size(), false);
    bool added = false;
    for (const auto& e : journal.entries) {
        const std::string name(e.name);
        auto it = index.find(name);
        if (e.op == JournalEntry::Op::add) {
            if (it != index.end())
                return journal_error(file, e, "name: duplicate peer name \"" + name + "\"");
            auto peer = parse_peer_line(e.line, file, e.line_no);
            if (!peer) return peer.error();
            index.emplace(name, state.peers.size());
            state.peers.push_back(std::move(*peer));
            gone.push_back(false);
            added = true;
        } else {
            if (it == index.end())
                return journal_error(file, e,
                                     "removes peer \"" + name + "\", which does not exist");
            gone[it->second] = true;
            index.erase(it);
        }
    }
    std::size_t kept = 0;
    for (std::size_t i = 0; i < state.peers.size(); ++i)
        if (!gone[i]) {
            if (kept != i) state.peers[kept] = std::move(state.peers[i]);
            ++kept;
        }
    state.peers.resize(kept);
    if (!added) return ok_status();
    std::unordered_set<PublicKey, PublicKeyHash> keys;
    std::unordered_set<IpAddress, AddressHash> addresses;
    keys.reserve(kept);
    addresses.reserve(2 * kept);
    for (const auto& p : state.peers) {
        if (!keys.insert(p.public_key).second)
            return Error{"peer " + p.name + " repeats another peer's public key", Location{file}};
        for (const auto& a : {p.address, p.address6})
            if (a && !addresses.insert(*a).second)
                return Error{"peer " + p.name + " repeats address " + a->str(), Location{file}};
    }
    return ok_status();
}

std::string new_snapshot_id() {
    unsigned char r[8] = {};
    if (getrandom(r, sizeof r, 0) != static_cast<ssize_t>(sizeof r)) {
        // Only difference from the previous id matters: the clock and pid do.
        const auto t = static_cast<unsigned long long>(std::time(nullptr)) ^
                       (static_cast<unsigned long long>(getpid()) << 32);
        std::memcpy(r, &t, sizeof r);
    }
    char hex[17];
    for (int i = 0; i < 8; ++i) std::snprintf(hex + 2 * i, 3, "%02x", r[i]);
    return hex;
}

}  // namespace

Result<PeerState> load_peers(const StatePaths& paths) {
    const std::string file = paths.peers_file();
    auto text = read_file_if_exists(file);
    if (!text) return text.error();
    Result<PeerState> state = PeerState{};
    std::string id(kNoSnapshot);
    if (*text) {
        state = parse_peers(**text, file);
        if (const auto named = snapshot_id(**text); !named.empty()) id = named;
    } else {
        // A state directory from before the line format: read it; the next
        // save migrates it.
        const std::string legacy = paths.legacy_peers_file();
        auto old = read_file_if_exists(legacy);
        if (!old) return old.error();
        if (*old) state = parse_legacy_peers_toml(**old, legacy);
    }
    if (!state) return state;
    const std::string journal_file = paths.peers_journal_file();
    auto journal = read_file_if_exists(journal_file);
    if (!journal) return journal.error();
    if (!*journal) return state;
    auto changes = parse_journal(**journal, journal_file);
    if (!changes) return changes.error();
    if (changes->snapshot != id) return state;  // compacted into the snapshot already
    if (auto st = replay(*state, *changes, journal_file); !st) return st.error();
    return state;
}

Status save_peers(const StatePaths& paths, const PeerState& state) {
    if (auto s = ensure_private_dir(paths.dir); !s) return s;
    // A new id: a journal left by a crash before the unlink below names the
    // old one, so it is never replayed onto the state that contains it.
    const std::string id = new_snapshot_id();
    if (auto s = atomic_write_file(paths.peers_file(), format_peers(state, id), 0600); !s) return s;
    for (const std::string& old : {paths.peers_journal_file(), paths.legacy_peers_file()}) {
        // peers.tsv now wins over both (load_peers reads it first and skips a
        // journal of another snapshot), so a crash before an unlink loses
        // nothing; leaving the old file would only mislead a reader.
        if (::unlink(old.c_str()) != 0 && errno != ENOENT)
            return Error{"cannot remove the merged " + old + ": " + std::strerror(errno)};
    }
    return ok_status();
}

Status compact_peers(const StatePaths& paths) {
    struct stat st {};
    if (::stat(paths.peers_journal_file().c_str(), &st) != 0 && errno == ENOENT) return ok_status();
    // Taken before anything changes: the index describes the peers, which
    // compaction keeps, so a fresh index stays fresh (see peers_index.hpp).
    const std::string fresh = PeersIndex::matching_tag(paths);
    auto state = load_peers(paths);
    if (!state) return state.error();
    auto saved = save_peers(paths, *state);
    PeersIndex::retag_after_compaction(paths, saved ? fresh : std::string());
    return saved;
}

Status write_client_config(const StatePaths& paths, const std::string& peer_name,
                           const SecretText& config) {
    auto file = paths.client_config_file(peer_name);
    if (!file) return file.error();
    if (auto s = ensure_private_dir(paths.clients_dir()); !s) return s;
    return atomic_write_file(*file, config.view(), 0600);
}

Status write_psk(const StatePaths& paths, const std::string& peer_name, const SecretKey& psk) {
    auto file = paths.psk_file(peer_name);
    if (!file) return file.error();
    if (auto s = ensure_private_dir(paths.psk_dir()); !s) return s;
    SecretText text;
    std::string b64 = psk.base64();
    text.append(b64);
    text.append('\n');
    wipe(b64);
    return atomic_write_file(*file, text.view(), 0600);
}

Result<SecretKey> read_psk(const StatePaths& paths, const std::string& peer_name) {
    auto file = paths.psk_file(peer_name);
    if (!file) return file.error();
    auto text = read_file_if_exists(*file);
    if (!text) return text.error();
    if (!*text) return Error{"missing preshared key file " + *file};
    std::string& s = **text;
    std::string_view trimmed = s;
    while (!trimmed.empty() &&
           (trimmed.back() == '\n' || trimmed.back() == '\r' || trimmed.back() == ' '))
        trimmed.remove_suffix(1);
    auto key = SecretKey::from_base64(trimmed);
    wipe(s);
    if (!key) return Error{"preshared key file " + *file + " does not hold a base64 key"};
    return *key;
}

Status remove_peer_files(const StatePaths& paths, const std::string& peer_name) {
    for (auto file : {paths.client_config_file(peer_name), paths.psk_file(peer_name)}) {
        if (!file) return file.error();
        if (::unlink(file->c_str()) != 0 && errno != ENOENT)
            return Error{"cannot remove " + *file + ": " + std::strerror(errno)};
    }
    return ok_status();
}

}  // namespace vpngw::store
