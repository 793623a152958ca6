#include "profile/cache.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "profile/load_text.hpp"
#include "profile/peer_index.hpp"
#include "store/atomic_file.hpp"
#include "store/state_dir_check.hpp"

namespace vpngw::profile {

namespace {

std::string_view trim_left(std::string_view line) {
    const auto i = line.find_first_not_of(" \t");
    return i == std::string_view::npos ? std::string_view() : line.substr(i);
}

// Calls f(line_number, line) for each line of `text` (1-based, without '\n').
template <class F>
void each_line(std::string_view text, F&& f) {
    std::uint32_t n = 1;
    while (!text.empty()) {
        const auto end = text.find('\n');
        f(n++, text.substr(0, end));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
}

std::string effective_dir(const model::Profile& p, const std::optional<std::string>& state_dir) {
    return state_dir.value_or(p.gateway.state_dir);
}

bool same(const Diagnostic& a, const Diagnostic& b) {
    return a.severity == b.severity && a.where == b.where && a.message == b.message;
}

// What the index records of the text it was written for.
struct IndexInputs {
    TextDigest key{};
    std::string path, base_dir;
    std::optional<FileStamp> stamp;  // taken before the text was read
};

// A full load's diagnostics (`cached`) and those of the text without its
// peers now: a warning only the rest gives now (a key file of an interface
// that changed since) is kept too.
Diagnostics merged_diagnostics(const std::vector<Diagnostic>& cached, const Diagnostics& rest) {
    Diagnostics out;
    auto add = [&out](const Diagnostic& d) {
        if (d.severity == Severity::error)
            out.error(d.where, d.message);
        else
            out.warning(d.where, d.message);
    };
    for (const auto& d : cached) add(d);
    for (const auto& d : rest.all())
        if (std::none_of(cached.begin(), cached.end(),
                         [&](const Diagnostic& c) { return same(c, d); }))
            add(d);
    out.sort();
    return out;
}

std::optional<LoadResult> load_with_cache(std::string_view text, const std::string& path,
                                          const std::string& base_dir, CachedProfile& cache,
                                          const std::string& dir,
                                          const std::optional<std::string>& state_dir,
                                          std::string& blanked_out) {
    auto blanked = blank_lines(text, cache.peer_lines);
    if (!blanked) return std::nullopt;
    auto rest = load_text(*blanked, path, base_dir, nullptr);
    if (!rest.profile || !rest.profile->peers.empty() ||
        effective_dir(*rest.profile, state_dir) != dir)
        return std::nullopt;
    // No check across the peers again: the seal says vpngw wrote this record
    // after a full load of this exact text (the key) ran them all.
    rest.profile->peers = std::move(cache.peers);
    LoadResult out;
    out.diagnostics = merged_diagnostics(cache.diagnostics, rest.diagnostics);
    out.profile = std::move(rest.profile);
    blanked_out = std::move(*blanked);
    return out;
}

// The lines of each [[peer]] table: from its header to the line before the
// next header of any table. Confirmed by parsing the text with those lines
// blanked: it must give the document without `peer` and nothing else
// (a header inside a multi-line string, say, makes the ranges wrong and the
// profile gets no cache).
std::optional<std::vector<LineRange>> peer_lines(std::string_view text, toml::table& root,
                                                 std::string& blanked_out) {
    const auto* peers = root["peer"].as_array();
    if (!peers) return std::nullopt;
    std::vector<std::uint32_t> headers;
    std::uint32_t last_line = 0;
    each_line(text, [&](std::uint32_t n, std::string_view line) {
        if (trim_left(line).starts_with('[')) headers.push_back(n);
        last_line = n;
    });
    std::vector<LineRange> out;
    out.reserve(peers->size());
    for (const auto& node : *peers) {
        const auto* table = node.as_table();
        if (!table) return std::nullopt;
        const auto first = static_cast<std::uint32_t>(table->source().begin.line);
        const auto next = std::upper_bound(headers.begin(), headers.end(), first);
        out.push_back({first, next == headers.end() ? last_line : *next - 1});
    }
    auto blanked = blank_lines(text, out);
    if (!blanked) return std::nullopt;
    try {
        auto rest = toml::parse(*blanked);
        root.erase("peer");
        if (rest != root) return std::nullopt;
    } catch (const toml::parse_error&) {
        return std::nullopt;
    }
    blanked_out = std::move(*blanked);
    return out;
}

// The seal in `file`: false when it is missing or not a seal.
bool read_seal(const std::string& file, CacheSeal& seal) {
    auto bytes = store::read_file_if_exists(file);
    if (!bytes || !*bytes) return false;
    std::string& raw = **bytes;
    const bool ok = raw.size() == seal.key.size();
    if (ok) std::copy(raw.begin(), raw.end(), seal.key.begin());
    sodium_memzero(raw.data(), raw.size());
    return ok;
}

// The seal in `file`, made (random, 0600) when there is none.
bool read_or_make_seal(const std::string& file, CacheSeal& seal) {
    if (read_seal(file, seal)) return true;
    randombytes_buf(seal.key.data(), seal.key.size());
    const std::string_view bytes(reinterpret_cast<const char*>(seal.key.data()), seal.key.size());
    return store::atomic_write_file(file, bytes, 0600).ok();
}

// The blanked text as the index keeps it: the blank lines after the last
// table cut (at the end of a profile that lists its peers last, they are one
// per line of every peer), which moves no line of the rest.
std::string trimmed_rest(std::string blanked) {
    const auto end = blanked.find_last_not_of(" \t\r\n");
    blanked.resize(end == std::string::npos ? 0 : end + 1);
    blanked += '\n';
    return blanked;
}

// Writes <dir>/profile.index for the peers of `loaded` (profile/peer_index.hpp),
// or removes a stale one when the index cannot stand for them. Best effort,
// like the cache.
void write_index(const std::string& file, const IndexInputs& in, std::string blanked,
                 const LoadResult& loaded, const CacheSeal& seal) {
    IndexHeader h;
    h.key = in.key;
    h.source = in.path;
    h.base_dir = in.base_dir;
    if (in.stamp) h.stamp = *in.stamp;
    h.rest = trimmed_rest(std::move(blanked));
    h.diagnostics = loaded.diagnostics.all();
    for (const auto& g : loaded.profile->groups) h.groups[g.name] = 0;
    for (const auto& p : loaded.profile->peers) ++h.groups[p.group];
    h.peers = loaded.profile->peers.size();
    auto bytes = encode_peer_index(h, *loaded.profile, seal);
    if (!bytes || !store::atomic_write_file(file, *bytes, 0600).ok()) ::unlink(file.c_str());
}

bool write_cache(std::string_view text, toml::table& root, LoadResult& loaded,
                 const IndexInputs& in, const std::string& file, const std::string& seal_file,
                 const std::string& index_file) {
    std::string blanked;
    auto lines = peer_lines(text, root, blanked);
    if (!lines) return false;
    CacheSeal seal;
    if (!read_or_make_seal(seal_file, seal)) return false;
    write_index(index_file, in, std::move(blanked), loaded, seal);
    CachedProfile cache{in.key, loaded.profile->source, std::move(*lines), loaded.diagnostics.all(),
                        std::move(loaded.profile->peers)};
    const std::string bytes = encode_cache(cache, seal);
    loaded.profile->peers = std::move(cache.peers);
    // Best effort: a cache that cannot be written costs the next load time only.
    return store::atomic_write_file(file, bytes, 0600).ok();
}

// The bytes are freed before the peers are used: at 50,000 peers they are
// ~8 MB on top of the decoded peers.
std::optional<CachedProfile> read_cache(const std::string& file, const std::string& seal_file) {
    CacheSeal seal;
    if (!read_seal(seal_file, seal)) return std::nullopt;
    auto bytes = store::read_file_if_exists(file);
    if (!bytes || !*bytes) return std::nullopt;
    return decode_cache(**bytes, seal);
}

}  // namespace

std::string state_dir_hint(std::string_view text) {
    std::string found = model::Gateway{}.state_dir;
    bool in_gateway = false, done = false;
    each_line(text, [&](std::uint32_t, std::string_view raw) {
        if (done) return;
        const auto line = trim_left(raw);
        if (line.starts_with('[')) {
            in_gateway = line.starts_with("[gateway]");
            return;
        }
        if (!in_gateway || !line.starts_with("state_dir")) return;
        auto rest = trim_left(line.substr(9));
        if (!rest.starts_with('=')) return;
        rest = trim_left(rest.substr(1));
        if (!rest.starts_with('"')) return;
        const auto end = rest.find_first_of("\"\\", 1);
        if (end != std::string_view::npos && rest[end] == '"') found = rest.substr(1, end - 1);
        done = true;
    });
    return found;
}

std::optional<std::string> blank_lines(std::string_view text, const std::vector<LineRange>& lines) {
    std::vector<LineRange> sorted = lines;
    std::sort(sorted.begin(), sorted.end(),
              [](const LineRange& a, const LineRange& b) { return a.first < b.first; });
    // One pass with memchr: at 50,000 peers (300,000 lines) a table of every
    // line's offset cost more than the copy.
    std::uint64_t line = 1;  // the line that starts at text[pos]
    std::size_t pos = 0;
    auto advance_to = [&](std::uint64_t target) {  // false: the text has fewer lines
        while (line < target) {
            const void* nl = std::memchr(text.data() + pos, '\n', text.size() - pos);
            if (!nl) return false;
            pos = static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) + 1;
            ++line;
        }
        return true;
    };
    std::string out;
    out.reserve(text.size());
    std::size_t copied = 0;  // text[0, copied) is in `out`
    for (const auto& r : sorted) {
        if (r.first == 0 || r.last < r.first || r.first < line) return std::nullopt;
        if (!advance_to(r.first) || pos < copied) return std::nullopt;  // past the end, overlap
        const std::size_t begin = pos;
        const std::uint64_t first = line;
        std::size_t end = text.size();
        if (advance_to(std::uint64_t{r.last} + 1))
            end = pos;
        else if (line < r.last)
            return std::nullopt;  // the range runs past the last line
        out.append(text.substr(copied, begin - copied));
        // Empty lines keep the line numbers of everything after them.
        out.append(static_cast<std::size_t>(line - first), '\n');
        copied = end;
    }
    out.append(text.substr(copied));
    return out;
}

namespace {

// The stamp of the profile taken before a read of its text, when the file did
// not change while it was read.
std::optional<FileStamp> stamp_around(const std::string& path, std::optional<FileStamp> before) {
    const auto after = stamp_of(path);
    if (before && !(after && after->same_file(*before))) return std::nullopt;
    return before;
}

// load_file_cached with the text already read (`text`, stamped `stamp`).
LoadResult load_text_cached(const std::string& path, const std::string& text,
                            const std::optional<FileStamp>& stamp,
                            const std::optional<std::string>& state_dir, CacheUse& used) {
    used = CacheUse::none;
    const std::string base_dir = profile_base_dir(path);
    const std::string dir = state_dir.value_or(state_dir_hint(text));
    const std::string file = dir + "/" + kCacheFile;
    const std::string seal_file = dir + "/" + kCacheSealFile;
    const std::string index_file = dir + "/" + kIndexFile;
    const IndexInputs in{digest_of_text(path, base_dir, text), path, base_dir, stamp};
    // The same check every command makes of the state directory before it
    // reads a peer from it: nobody but its owner can have written the cache.
    const bool usable_dir = store::check_state_dir(dir).ok();
    if (usable_dir)
        if (auto cache = read_cache(file, seal_file);
            cache && cache->key == in.key && cache->source == path) {
            std::string blanked;
            if (auto hit = load_with_cache(text, path, base_dir, *cache, dir, state_dir, blanked)) {
                used = CacheUse::hit;
                // A cache written before the index existed, or an index
                // removed as damaged: written again from this load.
                CacheSeal seal;
                if (::access(index_file.c_str(), F_OK) != 0 && read_seal(seal_file, seal))
                    write_index(index_file, in, std::move(blanked), *hit, seal);
                return std::move(*hit);
            }
        }
    toml::table root;
    auto loaded = load_text(text, path, base_dir, &root);
    if (loaded.profile)
        for (auto& p : loaded.profile->peers) decltype(p.origin.fields)().swap(p.origin.fields);
    if (usable_dir && loaded.profile && loaded.profile->peers.size() >= kCacheMinPeers &&
        effective_dir(*loaded.profile, state_dir) == dir) {
        if (write_cache(text, root, loaded, in, file, seal_file, index_file))
            used = CacheUse::written;
    }
    return loaded;
}

// The profile from the index alone (profile/peer_index.hpp), when the index
// is sealed with the state directory's seal and was written for this text:
// the same file stamp (settled), or else the same digest of `text` (read
// here when the caller has not).
std::optional<IndexedLoad> load_from_index(const std::string& path,
                                           std::optional<std::string>& text, const std::string& dir,
                                           const std::optional<std::string>& state_dir,
                                           std::chrono::nanoseconds settle) {
    CacheSeal seal;
    if (!read_seal(dir + "/" + kCacheSealFile, seal)) return std::nullopt;
    const std::string file = dir + "/" + kIndexFile;
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    auto index = DeclaredPeers::open(std::move(fd), file, seal);
    const std::string base_dir = profile_base_dir(path);
    if (!index || index->header().source != path || index->header().base_dir != base_dir)
        return std::nullopt;
    const IndexHeader& h = index->header();
    const auto stamp = stamp_of(path);
    bool unchanged = stamp && h.stamp.settled(settle) && stamp->same_file(h.stamp);
    if (!unchanged) {
        LoadResult failed;
        if (!text) text = read_profile_text(path, failed);
        unchanged = text && digest_of_text(path, base_dir, *text) == h.key;
    }
    if (!unchanged) return std::nullopt;
    auto rest = load_text(h.rest, path, base_dir, nullptr);
    if (!rest.profile || !rest.profile->peers.empty() ||
        effective_dir(*rest.profile, state_dir) != dir)
        return std::nullopt;
    IndexedLoad out;
    out.loaded.diagnostics = merged_diagnostics(h.diagnostics, rest.diagnostics);
    out.loaded.profile = std::move(rest.profile);
    out.declared = std::make_shared<const DeclaredPeers>(std::move(*index));
    return out;
}

}  // namespace

LoadResult load_file_cached(const std::string& path, const std::optional<std::string>& state_dir,
                            CacheUse* use) {
    CacheUse ignored;
    LoadResult failed;
    const auto before = stamp_of(path);
    const auto text = read_profile_text(path, failed);
    if (!text) return failed;
    return load_text_cached(path, *text, stamp_around(path, before), state_dir,
                            use ? *use : ignored);
}

IndexedLoad load_file_indexed(const std::string& path, const std::optional<std::string>& state_dir,
                              std::chrono::nanoseconds settle) {
    std::optional<std::string> text;
    std::optional<FileStamp> before;
    if (!state_dir) {  // the text says where the state directory is
        LoadResult failed;
        before = stamp_of(path);
        text = read_profile_text(path, failed);
        if (!text) return {std::move(failed), nullptr};
    }
    const std::string dir = state_dir.value_or(text ? state_dir_hint(*text) : "");
    if (store::check_state_dir(dir).ok())
        if (auto hit = load_from_index(path, text, dir, state_dir, settle)) return std::move(*hit);
    CacheUse ignored;
    if (!text) {
        LoadResult failed;
        before = stamp_of(path);
        text = read_profile_text(path, failed);
        if (!text) return {std::move(failed), nullptr};
    }
    return {load_text_cached(path, *text, stamp_around(path, before), state_dir, ignored), nullptr};
}

}  // namespace vpngw::profile
