#include "store/peers_index.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "store/atomic_file.hpp"
#include "store/excerpt.hpp"
#include "store/peers_journal.hpp"
#include "store/peers_scan.hpp"
#include "store/peers_text.hpp"

namespace vpngw::store {
namespace {

constexpr std::string_view kTagHeader = "vpngw-peers-index 1\n";

std::string names_dir(const StatePaths& p) {
    return index_dir(p) + "/names";
}
std::string keys_dir(const StatePaths& p) {
    return index_dir(p) + "/keys";
}
std::string bits_dir(const StatePaths& p) {
    return index_dir(p) + "/bits";
}
std::string tag_file(const StatePaths& p) {
    return index_dir(p) + "/tag";
}

std::string key_file_name(std::string_view base64) {
    std::string s(base64);
    for (char& c : s)
        if (c == '/') c = '_';
    return s;
}

std::string bits_file(const StatePaths& p, std::string_view group, Family f) {
    return bits_dir(p) + "/" + std::string(group) + (f == Family::v4 ? ".4" : ".6");
}

Error sys_error(const std::string& what, const std::string& path) {
    return Error{what + " " + path + ": " + std::strerror(errno), Location{path}};
}

std::optional<std::string> read_link(const std::string& path) {
    char buf[4096];
    const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    if (n < 0 || n == static_cast<ssize_t>(sizeof buf)) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
}

// "dev ino size mtime" of a file, "none" when it does not exist.
std::string identity(const std::string& path, std::uint64_t* size = nullptr) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (size) *size = 0;
        return "none";
    }
    if (size) *size = static_cast<std::uint64_t>(st.st_size);
    return std::to_string(st.st_dev) + " " + std::to_string(st.st_ino) + " " +
           std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec);
}

// A tag from another boot is stale: the index files were never fsynced.
std::string boot_id() {
    auto text = read_file_if_exists("/proc/sys/kernel/random/boot_id");
    if (!text || !*text) return "-";
    std::string s = std::move(**text);
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

// The snapshot id from the head of peers.tsv: the id is on its second line.
Result<std::string> read_snapshot_id(const std::string& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return std::string(kNoSnapshot);
        return sys_error("cannot open", file);
    }
    char buf[512];
    const ssize_t n = ::pread(fd, buf, sizeof buf, 0);
    ::close(fd);
    if (n < 0) return sys_error("cannot read", file);
    const std::string_view id = snapshot_id(std::string_view(buf, static_cast<std::size_t>(n)));
    return id.empty() ? std::string(kNoSnapshot) : std::string(id);
}

Status make_link(const std::string& target, const std::string& path) {
    if (::symlink(target.c_str(), path.c_str()) == 0) return ok_status();
    if (errno == EEXIST && ::unlink(path.c_str()) == 0 &&
        ::symlink(target.c_str(), path.c_str()) == 0)
        return ok_status();
    return sys_error("cannot create", path);
}

Status remove_link(const std::string& path) {
    if (::unlink(path.c_str()) == 0 || errno == ENOENT) return ok_status();
    return sys_error("cannot remove", path);
}

// Sets or clears one bit with a pread/pwrite of its word.
Status write_bit(const std::string& file, std::uint64_t offset, bool on) {
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return sys_error("cannot open", file);
    std::uint64_t word = 0;
    const off_t at = static_cast<off_t>(offset / 64 * 8);
    const ssize_t n = ::pread(fd, &word, sizeof word, at);
    if (n != static_cast<ssize_t>(sizeof word)) word = 0;  // beyond the end: nothing set
    const std::uint64_t bit = std::uint64_t{1} << (offset % 64);
    word = on ? (word | bit) : (word & ~bit);
    const bool ok = ::pwrite(fd, &word, sizeof word, at) == static_cast<ssize_t>(sizeof word);
    ::close(fd);
    if (!ok) return sys_error("cannot write", file);
    return ok_status();
}

Status write_tag_text(const StatePaths& paths, const std::string& tag) {
    // Not fsynced: see the header (the boot id covers a machine crash).
    const std::string file = tag_file(paths);
    const std::string tmp = file + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return sys_error("cannot create", tmp);
    const bool ok = ::write(fd, tag.data(), tag.size()) == static_cast<ssize_t>(tag.size());
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), file.c_str()) != 0) return sys_error("cannot write", file);
    return ok_status();
}

std::string layout_of_tag(const std::string& tag) {
    // header, boot, layout, snapshot, journal: one a line
    std::size_t pos = kTagHeader.size();
    pos = tag.find('\n', pos);
    if (pos == std::string::npos) return {};
    const std::size_t end = tag.find('\n', pos + 1);
    if (end == std::string::npos) return {};
    return tag.substr(pos + 1, end - pos - 1);
}

}  // namespace

std::string index_dir(const StatePaths& paths) {
    return paths.dir + "/peers.index";
}

std::string PeersIndex::current_tag(const StatePaths& paths, const std::string& layout_id) {
    return std::string(kTagHeader) + boot_id() + "\n" + layout_id + "\n" +
           identity(paths.peers_file()) + "\n" + identity(paths.journal_file()) + "\n";
}

namespace {
std::string stored_tag(const StatePaths& paths) {
    auto text = read_file_if_exists(tag_file(paths));
    if (!text || !*text) return {};
    return std::move(**text);
}
}  // namespace

std::string PeersIndex::matching_tag(const StatePaths& paths) {
    std::string stored = stored_tag(paths);
    if (stored.empty() || stored != current_tag(paths, layout_of_tag(stored))) return {};
    return stored;
}

void PeersIndex::invalidate(const StatePaths& paths) {
    (void)::unlink(tag_file(paths).c_str());
}

void PeersIndex::retag_after_compaction(const StatePaths& paths, const std::string& before) {
    if (before.empty()) return invalidate(paths);
    if (!write_tag_text(paths, current_tag(paths, layout_of_tag(before)))) invalidate(paths);
}

Status PeersIndex::rebuild(const StatePaths& paths, const IndexLayout& layout) {
    invalidate(paths);
    const std::string dir = index_dir(paths);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    if (ec) return Error{"cannot remove " + dir + ": " + ec.message(), Location{dir}};
    for (const auto& d : {dir, names_dir(paths), keys_dir(paths), bits_dir(paths)})
        if (auto st = ensure_private_dir(d); !st) return st;

    // Read before the tag is computed: the tag then names what was read.
    const std::string tag = current_tag(paths, layout.id);
    auto text = StoredPeerText::read(paths);
    if (!text) return text.error();
    if (text->legacy()) return Error{"the peers are still in the earlier peers.toml format"};

    // Bitmaps are built in memory and written once each.
    std::vector<std::pair<std::string, std::vector<std::uint64_t>>> maps;
    auto map_for = [&](const std::string& file) -> std::vector<std::uint64_t>& {
        for (auto& [f, words] : maps)
            if (f == file) return words;
        return maps.emplace_back(file, std::vector<std::uint64_t>{}).second;
    };
    std::optional<Error> bad;
    auto scanned = text->for_each([&](const RawPeer& p) {
        if (bad) return;
        const std::string name(p.name);
        if (auto st = make_link(std::string(p.line), names_dir(paths) + "/" + name); !st) {
            bad = st.error();
            return;
        }
        if (auto st = make_link(name, keys_dir(paths) + "/" + key_file_name(p.public_key)); !st) {
            bad = st.error();
            return;
        }
        for (auto field : {p.address, p.address6}) {
            if (field == "-") continue;
            auto a = IpAddress::parse(field);
            if (!a) {
                bad = Error{"address: not an IP address: " + quoted_excerpt(field),
                            Location{*p.file, p.line_no, 1}};
                return;
            }
            auto offset = layout.offset(p.group, *a);
            if (!offset) continue;
            if (*offset >= kIndexOffsetLimit) {
                bad = Error{"address " + a->str() + " is beyond what the index maps",
                            Location{*p.file, p.line_no, 1}};
                return;
            }
            auto& words = map_for(bits_file(paths, p.group, a->family));
            if (words.size() <= *offset / 64) words.resize(*offset / 64 + 1, 0);
            words[*offset / 64] |= std::uint64_t{1} << (*offset % 64);
        }
    });
    if (!scanned) return scanned.error();
    if (bad) return *bad;
    for (const auto& [file, words] : maps) {
        const std::string_view bytes(reinterpret_cast<const char*>(words.data()),
                                     words.size() * sizeof(std::uint64_t));
        const int fd =
            ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) return sys_error("cannot create", file);
        const bool ok =
            ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
        ::close(fd);
        if (!ok) return sys_error("cannot write", file);
    }
    return write_tag_text(paths, tag);
}

Result<std::optional<PeersIndex>> PeersIndex::open(const StatePaths& paths, IndexLayout layout) {
    struct stat st {};
    // Not migrated yet: the scanning path migrates it.
    if (::stat(paths.peers_file().c_str(), &st) != 0 &&
        ::stat(paths.legacy_peers_file().c_str(), &st) == 0)
        return std::optional<PeersIndex>{};
    if (stored_tag(paths) != current_tag(paths, layout.id)) {
        auto built = rebuild(paths, layout);
        if (!built) {
            invalidate(paths);
            // An address the bitmaps cannot hold, or a state the scan
            // refuses: the scanning path handles (or reports) it.
            return std::optional<PeersIndex>{};
        }
    }
    PeersIndex index;
    index.paths_ = paths;
    index.layout_ = std::move(layout);
    auto id = read_snapshot_id(paths.peers_file());
    if (!id) return id.error();
    index.snapshot_id_ = std::move(*id);
    (void)identity(paths.peers_file(), &index.snapshot_bytes_);
    (void)identity(paths.journal_file(), &index.journal_bytes_);
    return std::optional<PeersIndex>{std::move(index)};
}

bool PeersIndex::has_name(std::string_view name) const {
    // Names become paths: one that could leave names/ is nobody's.
    if (!is_valid_name(name)) return false;
    struct stat st {};
    return ::lstat((names_dir(paths_) + "/" + std::string(name)).c_str(), &st) == 0;
}

std::optional<std::string> PeersIndex::peer_line(std::string_view name) const {
    if (!is_valid_name(name)) return std::nullopt;
    return read_link(names_dir(paths_) + "/" + std::string(name));
}

std::optional<std::string> PeersIndex::key_owner(const PublicKey& key) const {
    return read_link(keys_dir(paths_) + "/" + key_file_name(key.base64()));
}

Result<std::vector<std::uint64_t>> PeersIndex::bitmap(std::string_view group, Family family) const {
    const std::string file = bits_file(paths_, group, family);
    auto text = read_file_if_exists(file);
    if (!text) return text.error();
    std::vector<std::uint64_t> words;
    if (!*text) return words;
    words.resize((**text).size() / sizeof(std::uint64_t));
    std::memcpy(words.data(), (**text).data(), words.size() * sizeof(std::uint64_t));
    return words;
}

bool PeersIndex::wants_compaction() const {
    // As StoredPeerText::wants_compaction, a line being ~100 bytes.
    const std::uint64_t entries = journal_bytes_ / 100;
    const std::uint64_t snapshot_peers = snapshot_bytes_ / 100;
    return entries >= 4096 || (entries >= 64 && entries > snapshot_peers / 8);
}

Status PeersIndex::set_bit(const StoredPeer& peer, bool on) {
    for (const auto& a : {peer.address, peer.address6}) {
        if (!a) continue;
        auto offset = layout_.offset(peer.group, *a);
        if (!offset) continue;
        if (*offset >= kIndexOffsetLimit) return Error{"address beyond what the index maps"};
        if (auto st = write_bit(bits_file(paths_, peer.group, a->family), *offset, on); !st)
            return st;
    }
    return ok_status();
}

Status PeersIndex::write_tag() {
    return write_tag_text(paths_, current_tag(paths_, layout_.id));
}

Status PeersIndex::record_added(const StoredPeer& peer) {
    std::string line;
    append_peer_line(line, peer);
    while (!line.empty() && line.back() == '\n') line.pop_back();
    Status st = make_link(line, names_dir(paths_) + "/" + peer.name);
    if (st)
        st = make_link(peer.name, keys_dir(paths_) + "/" + key_file_name(peer.public_key.base64()));
    if (st) st = set_bit(peer, true);
    if (st) st = write_tag();
    if (!st) invalidate(paths_);
    return st;
}

Status PeersIndex::record_removed(const StoredPeer& peer) {
    Status st = remove_link(names_dir(paths_) + "/" + peer.name);
    if (st) st = remove_link(keys_dir(paths_) + "/" + key_file_name(peer.public_key.base64()));
    if (st) st = set_bit(peer, false);
    if (st) st = write_tag();
    if (!st) invalidate(paths_);
    return st;
}

}  // namespace vpngw::store
