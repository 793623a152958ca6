#include "profile/peer_index.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "profile/record_io.hpp"

namespace vpngw::profile {

namespace {

using record_io::Reader;
using record_io::Writer;

// Bump when a record's layout or the meaning of a field changes.
constexpr std::string_view kMagic = "vpngw-profile-index 1\n";
constexpr std::size_t kSum = 32;
constexpr std::size_t kBlock = 4096;  // a block with its seal
constexpr std::uint32_t kMaxHeader = 64u << 20;

// The sections, their record sizes and how many leading bytes they sort by.
enum SectionId : int { names = 0, keys = 1, addresses = 2, runs = 3 };
constexpr std::size_t kName = 16;  // names are at most 15 bytes (profile/names.hpp)
constexpr std::size_t kRecord[4] = {kName + 8, 32 + kName + 8, 17 + kName + 8, kName + 1 + 16 + 16};
constexpr std::size_t kKey[4] = {kName, 32, 17, kName + 1 + 16};

std::size_t per_block(int s) {
    return (kBlock - kSum) / kRecord[s];
}
std::uint64_t block_bytes(int s) {
    return per_block(s) * kRecord[s] + kSum;
}
std::uint32_t block_count(int s, std::uint32_t records) {
    return static_cast<std::uint32_t>((records + per_block(s) - 1) / per_block(s));
}

record_io::Digest block_seal(const CacheSeal& seal, const std::array<std::uint8_t, 16>& nonce,
                             int section, std::uint32_t index, std::string_view records) {
    const std::uint8_t s = static_cast<std::uint8_t>(section);
    return record_io::blake2b(
        {std::string_view(reinterpret_cast<const char*>(nonce.data()), nonce.size()),
         std::string_view(reinterpret_cast<const char*>(&s), 1),
         std::string_view(reinterpret_cast<const char*>(&index), sizeof index), records},
        &seal.key);
}

void put_name(std::string& out, std::string_view name) {
    out.append(name);
    out.append(kName - name.size(), '\0');
}

std::string name_of(std::string_view field) {
    const auto end = field.find('\0');
    return std::string(field.substr(0, end));
}

void put_address(std::string& out, const IpAddress& a) {
    out.push_back(static_cast<char>(a.family == Family::v6 ? 6 : 4));
    out.append(reinterpret_cast<const char*>(a.bytes.data()), a.bytes.size());
}

std::optional<IpAddress> address_of(std::string_view field) {
    if (field.size() < 17 || (field[0] != 4 && field[0] != 6)) return std::nullopt;
    IpAddress a;
    a.family = field[0] == 6 ? Family::v6 : Family::v4;
    std::memcpy(a.bytes.data(), field.data() + 1, a.bytes.size());
    return a;
}

void put_u32(std::string& out, std::uint32_t v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
std::uint32_t u32_at(std::string_view field) {
    std::uint32_t v = 0;
    std::memcpy(&v, field.data(), sizeof v);
    return v;
}

// name[16] line column: the end of every record but a run's.
void put_owner(std::string& out, const model::Peer& p) {
    put_name(out, p.name);
    put_u32(out, static_cast<std::uint32_t>(p.origin.table.line));
    put_u32(out, static_cast<std::uint32_t>(p.origin.table.column));
}
DeclaredPeer owner_of(std::string_view tail, const std::string& source) {
    return {name_of(tail.substr(0, kName)),
            Location{source, static_cast<int>(u32_at(tail.substr(kName))),
                     static_cast<int>(u32_at(tail.substr(kName + 4)))}};
}

// Whether the index can stand for the peers (peer_index.hpp).
bool indexable(const model::Profile& profile, const std::string& source) {
    for (const auto& p : profile.peers) {
        const model::Group* g = profile.find_group(p.group);
        if (!g || p.name.size() >= kName || p.group.size() >= kName || !p.networks.empty() ||
            p.origin.table.file != source || p.origin.table.line < 0 || p.origin.table.column < 0)
            return false;
        if ((g->subnet && !p.address) || (g->subnet6 && !p.address6)) return false;
    }
    return true;
}

// The records of each section, sorted; nullopt when two share their key.
std::optional<std::array<std::vector<std::string>, 4>> records_of(const model::Profile& profile) {
    std::array<std::vector<std::string>, 4> out;
    struct Fixed {
        std::string group;
        IpAddress a;
    };
    std::vector<Fixed> fixed;
    for (const auto& p : profile.peers) {
        std::string r;
        put_owner(r, p);
        out[names].push_back(r);
        r.clear();
        r.append(reinterpret_cast<const char*>(p.public_key.bytes.data()), 32);
        put_owner(r, p);
        out[keys].push_back(r);
        for (const auto* a : {&p.address, &p.address6}) {
            if (!*a) continue;
            r.clear();
            put_address(r, **a);
            put_owner(r, p);
            out[addresses].push_back(r);
            fixed.push_back({p.group, **a});
        }
    }
    std::sort(fixed.begin(), fixed.end(), [](const Fixed& x, const Fixed& y) {
        return std::tie(x.group, x.a) < std::tie(y.group, y.a);
    });
    for (std::size_t i = 0; i < fixed.size();) {
        std::size_t j = i;
        while (j + 1 < fixed.size() && fixed[j + 1].group == fixed[i].group &&
               fixed[j + 1].a.family == fixed[i].a.family && fixed[j].a.plus(1) == fixed[j + 1].a &&
               fixed[j + 1].a > fixed[j].a)
            ++j;
        std::string r;
        put_name(r, fixed[i].group);
        put_address(r, fixed[i].a);
        r.append(reinterpret_cast<const char*>(fixed[j].a.bytes.data()), 16);
        out[runs].push_back(std::move(r));
        i = j + 1;
    }
    for (int s = 0; s < 4; ++s) {
        auto& v = out[s];
        std::sort(v.begin(), v.end());
        const std::size_t k = kKey[s];
        for (std::size_t i = 1; i < v.size(); ++i)
            if (v[i - 1].compare(0, k, v[i], 0, k) == 0) return std::nullopt;
    }
    return out;
}

void put_header(Writer& w, const IndexHeader& h) {
    w.raw(h.key.data(), h.key.size());
    w.str(h.source);
    w.str(h.base_dir);
    const auto& s = h.stamp;
    for (auto v : {s.dev, s.ino, s.size}) w.u64(v);
    for (auto v : {s.mtime_sec, s.mtime_nsec, s.ctime_sec, s.ctime_nsec, s.taken_sec, s.taken_nsec})
        w.i64(v);
    w.str(h.rest);
    w.u32(static_cast<std::uint32_t>(h.diagnostics.size()));
    for (const auto& d : h.diagnostics) {
        w.u8(d.severity == Severity::error ? 0 : 1);
        record_io::put_location(w, d.where, h.source);
        w.str(d.message);
    }
    w.u32(static_cast<std::uint32_t>(h.groups.size()));
    for (const auto& [name, n] : h.groups) {
        w.str(name);
        w.u32(n);
    }
    w.u64(h.peers);
}

IndexHeader get_header(Reader& r) {
    IndexHeader h;
    r.raw(h.key.data(), h.key.size());
    h.source = r.str();
    h.base_dir = r.str();
    auto& s = h.stamp;
    s.dev = r.u64();
    s.ino = r.u64();
    s.size = r.u64();
    s.mtime_sec = r.i64();
    s.mtime_nsec = r.i64();
    s.ctime_sec = r.i64();
    s.ctime_nsec = r.i64();
    s.taken_sec = r.i64();
    s.taken_nsec = r.i64();
    h.rest = r.str();
    const auto diags = r.count(14);
    for (std::uint32_t i = 0; i < diags && r.ok(); ++i) {
        Diagnostic d;
        d.severity = r.boolean() ? Severity::warning : Severity::error;
        d.where = record_io::get_location(r, h.source);
        d.message = r.str();
        h.diagnostics.push_back(std::move(d));
    }
    const auto groups = r.count(8);
    for (std::uint32_t i = 0; i < groups && r.ok(); ++i) {
        auto name = r.str();
        h.groups[name] = r.u32();
    }
    h.peers = r.u64();
    return h;
}

bool read_exactly(int fd, void* out, std::size_t n, std::uint64_t at) {
    auto* p = static_cast<char*>(out);
    while (n > 0) {
        const ssize_t got = ::pread(fd, p, n, static_cast<off_t>(at));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        p += got;
        n -= static_cast<std::size_t>(got);
        at += static_cast<std::uint64_t>(got);
    }
    return true;
}

}  // namespace

std::optional<FileStamp> stamp_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    FileStamp s;
    s.dev = st.st_dev;
    s.ino = st.st_ino;
    s.size = static_cast<std::uint64_t>(st.st_size);
    s.mtime_sec = st.st_mtim.tv_sec;
    s.mtime_nsec = st.st_mtim.tv_nsec;
    s.ctime_sec = st.st_ctim.tv_sec;
    s.ctime_nsec = st.st_ctim.tv_nsec;
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    s.taken_sec = now.tv_sec;
    s.taken_nsec = now.tv_nsec;
    return s;
}

bool FileStamp::settled(std::chrono::nanoseconds settle) const {
    const auto ns = [](std::int64_t sec, std::int64_t nsec) {
        return std::chrono::nanoseconds(sec * 1'000'000'000 + nsec);
    };
    return ctime_sec > 0 && ns(taken_sec, taken_nsec) - ns(ctime_sec, ctime_nsec) > settle;
}

std::optional<std::string> encode_peer_index(const IndexHeader& header,
                                             const model::Profile& profile, const CacheSeal& seal) {
    if (!indexable(profile, header.source)) return std::nullopt;
    auto records = records_of(profile);
    if (!records) return std::nullopt;
    std::array<std::uint8_t, 16> nonce{};
    randombytes_buf(nonce.data(), nonce.size());

    Writer w;
    w.raw(nonce.data(), nonce.size());
    put_header(w, header);
    // Then where each section starts: its blocks follow the header, its
    // length and its seal, one section after the other.
    constexpr std::size_t kTable = 4 * (8 + 4);
    const std::uint64_t first_block = kMagic.size() + 4 + w.bytes().size() + kTable + kSum;
    std::uint64_t at = first_block;
    for (int s = 0; s < 4; ++s) {
        const auto n = static_cast<std::uint32_t>((*records)[s].size());
        w.u64(at);
        w.u32(n);
        at += std::uint64_t{n} * kRecord[s] + std::uint64_t{block_count(s, n)} * kSum;
    }
    const std::string& head = w.bytes();

    std::string out;
    out.reserve(at);
    out.append(kMagic);
    const auto len = static_cast<std::uint32_t>(head.size());
    out.append(reinterpret_cast<const char*>(&len), sizeof len);
    out.append(head);
    const auto sum = record_io::blake2b({out}, &seal.key);
    out.append(reinterpret_cast<const char*>(sum.data()), sum.size());
    if (out.size() != first_block) return std::nullopt;  // the layout above is wrong
    for (int s = 0; s < 4; ++s) {
        const auto& v = (*records)[s];
        const std::size_t per = per_block(s);
        for (std::size_t i = 0, b = 0; i < v.size(); i += per, ++b) {
            std::string block;
            for (std::size_t j = i; j < std::min(v.size(), i + per); ++j) block += v[j];
            const auto bs = block_seal(seal, nonce, s, static_cast<std::uint32_t>(b), block);
            out += block;
            out.append(reinterpret_cast<const char*>(bs.data()), bs.size());
        }
    }
    if (out.size() != at) return std::nullopt;
    return out;
}

std::optional<DeclaredPeers> DeclaredPeers::open(UniqueFd fd, std::string file,
                                                 const CacheSeal& seal) {
    std::string start(kMagic.size() + 4, '\0');
    if (!fd || !read_exactly(fd.get(), start.data(), start.size(), 0) ||
        std::string_view(start).substr(0, kMagic.size()) != kMagic)
        return std::nullopt;
    std::uint32_t len = 0;
    std::memcpy(&len, start.data() + kMagic.size(), sizeof len);
    struct stat st {};
    if (len > kMaxHeader || ::fstat(fd.get(), &st) != 0 ||
        std::uint64_t(st.st_size) < start.size() + std::uint64_t{len} + kSum)
        return std::nullopt;
    std::string rest(std::size_t{len} + kSum, '\0');
    if (!read_exactly(fd.get(), rest.data(), rest.size(), start.size())) return std::nullopt;
    const std::string_view head(rest.data(), len);
    const auto sum = record_io::blake2b({start, head}, &seal.key);
    if (sodium_memcmp(sum.data(), rest.data() + len, kSum) != 0) return std::nullopt;

    DeclaredPeers d;
    Reader r(head);
    r.raw(d.nonce_.data(), d.nonce_.size());
    d.header_ = get_header(r);
    for (auto& s : d.sections_) {
        s.offset = r.u64();
        s.records = r.u32();
    }
    if (!r.done()) return std::nullopt;
    d.fd_ = std::move(fd);
    d.file_ = std::move(file);
    d.seal_ = std::make_unique<CacheSeal>();
    d.seal_->key = seal.key;
    return d;
}

std::size_t DeclaredPeers::count(std::string_view group) const {
    const auto it = header_.groups.find(std::string(group));
    return it == header_.groups.end() ? 0 : it->second;
}

Error DeclaredPeers::damaged(const std::string& why) const {
    // The next full load writes it again (profile/cache.cpp).
    ::unlink(file_.c_str());
    return Error{file_ + " " + why + ": it was removed; run the command again"};
}

Result<std::string> DeclaredPeers::block(int section, std::uint32_t index) const {
    const std::uint64_t id = (std::uint64_t(section) << 32) | index;
    if (auto it = blocks_.find(id); it != blocks_.end()) return it->second;
    const auto& s = sections_[section];
    const std::size_t per = per_block(section);
    const std::size_t n = std::min<std::size_t>(per, s.records - std::size_t{index} * per);
    std::string bytes(n * kRecord[section] + kSum, '\0');
    if (!read_exactly(fd_.get(), bytes.data(), bytes.size(),
                      s.offset + std::uint64_t{index} * block_bytes(section)))
        return damaged("is cut short");
    const std::string_view records(bytes.data(), bytes.size() - kSum);
    const auto sum = block_seal(*seal_, nonce_, section, index, records);
    if (sodium_memcmp(sum.data(), bytes.data() + records.size(), kSum) != 0)
        return damaged("does not match its seal");
    bytes.resize(records.size());
    return blocks_.emplace(id, std::move(bytes)).first->second;
}

Result<std::optional<std::string>> DeclaredPeers::last_at_most(int section,
                                                               std::string_view key) const {
    const auto records = sections_[section].records;
    if (records == 0) return std::optional<std::string>{};
    const std::size_t size = kRecord[section];
    const auto prefix = [&](std::string_view block, std::size_t i) {
        return block.substr(i * size, key.size());
    };
    // The last block whose first record is at most `key`: the one that holds
    // the answer when there is one.
    std::int64_t lo = 0, hi = block_count(section, records) - 1, found = -1;
    while (lo <= hi) {
        const auto mid = lo + (hi - lo) / 2;
        auto b = block(section, static_cast<std::uint32_t>(mid));
        if (!b) return b.error();
        if (prefix(*b, 0) <= key)
            found = mid, lo = mid + 1;
        else
            hi = mid - 1;
    }
    if (found < 0) return std::optional<std::string>{};
    auto b = block(section, static_cast<std::uint32_t>(found));
    if (!b) return b.error();
    const std::string_view bytes = *b;
    std::size_t first = 0, count = bytes.size() / size;  // first record > key at [first + count)
    while (count > 0) {
        const std::size_t step = count / 2;
        if (prefix(bytes, first + step) <= key)
            first += step + 1, count -= step + 1;
        else
            count = step;
    }
    return std::optional<std::string>(bytes.substr((first - 1) * size, size));
}

Result<std::optional<DeclaredPeer>> DeclaredPeers::by_name(std::string_view name) const {
    if (name.size() >= kName) return std::optional<DeclaredPeer>{};
    std::string key;
    put_name(key, name);
    auto r = last_at_most(SectionId::names, key);
    if (!r) return r.error();
    if (!*r || (*r)->compare(0, kName, key) != 0) return std::optional<DeclaredPeer>{};
    return std::optional<DeclaredPeer>(owner_of(**r, header_.source));
}

Result<std::optional<DeclaredPeer>> DeclaredPeers::by_key(const PublicKey& k) const {
    const std::string key(reinterpret_cast<const char*>(k.bytes.data()), k.bytes.size());
    auto r = last_at_most(SectionId::keys, key);
    if (!r) return r.error();
    if (!*r || (*r)->compare(0, 32, key) != 0) return std::optional<DeclaredPeer>{};
    return std::optional<DeclaredPeer>(owner_of(std::string_view(**r).substr(32), header_.source));
}

Result<std::optional<DeclaredPeer>> DeclaredPeers::by_address(const IpAddress& a) const {
    std::string key;
    put_address(key, a);
    auto r = last_at_most(SectionId::addresses, key);
    if (!r) return r.error();
    if (!*r || (*r)->compare(0, 17, key) != 0) return std::optional<DeclaredPeer>{};
    return std::optional<DeclaredPeer>(owner_of(std::string_view(**r).substr(17), header_.source));
}

Result<std::optional<IpAddress>> DeclaredPeers::run_end(std::string_view group,
                                                        const IpAddress& a) const {
    if (group.size() >= kName) return std::optional<IpAddress>{};
    std::string key;
    put_name(key, group);
    put_address(key, a);
    auto r = last_at_most(SectionId::runs, key);
    if (!r) return r.error();
    // Same group and family, and the run reaches `a`.
    if (!*r || (*r)->compare(0, kName + 1, key, 0, kName + 1) != 0)
        return std::optional<IpAddress>{};
    auto last = address_of(std::string(1, key[kName]) + (*r)->substr(kName + 17, 16));
    if (!last || *last < a) return std::optional<IpAddress>{};
    return last;
}

}  // namespace vpngw::profile
