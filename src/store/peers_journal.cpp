#include "store/peers_journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/atomic_file.hpp"
#include "store/excerpt.hpp"
#include "store/peers_text.hpp"
#include "util/unique_fd.hpp"

namespace vpngw::store {
namespace {

constexpr std::string_view kHeader = "vpngw-peers-journal 1 ";
constexpr std::string_view kAdd = "add\t";
constexpr std::string_view kRemove = "remove\t";

Error sys_error(const std::string& what, const std::string& path) {
    return Error{what + " " + path + ": " + std::strerror(errno)};
}

Status write_all(int fd, std::string_view bytes, const std::string& path) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return sys_error("cannot write", path);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return ok_status();
}

Status fsync_dir(const std::string& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return sys_error("cannot open", dir);
    if (::fsync(fd.get()) != 0) return sys_error("cannot fsync", dir);
    return ok_status();
}

// What of the existing file to keep: its length up to the last complete
// line, or 0 when it must start afresh (no complete header, or the header
// names another snapshot).
Result<off_t> keep_length(int fd, const std::string& path, std::string_view snapshot) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return sys_error("cannot stat", path);
    if (st.st_size == 0) return off_t{0};
    std::string head(kHeader.size() + snapshot.size() + 1, '\0');
    const ssize_t got = ::pread(fd, head.data(), head.size(), 0);
    if (got < 0) return sys_error("cannot read", path);
    head.resize(static_cast<std::size_t>(got));
    if (head != std::string(kHeader) + std::string(snapshot) + "\n") return off_t{0};
    // Entries are short (< 200 bytes): the last newline is within the tail.
    char tail[512];
    const off_t from = st.st_size > off_t{sizeof tail} ? st.st_size - off_t{sizeof tail} : 0;
    const ssize_t n = ::pread(fd, tail, static_cast<std::size_t>(st.st_size - from), from);
    if (n < 0) return sys_error("cannot read", path);
    for (ssize_t i = n; i > 0; --i)
        if (tail[i - 1] == '\n') return from + static_cast<off_t>(i);
    return off_t{0};
}

}  // namespace

Result<JournalText> parse_journal(std::string_view text, const std::string& file) {
    JournalText out;
    int line_no = 0;
    bool header = false;
    while (!text.empty()) {
        ++line_no;
        const std::size_t nl = text.find('\n');
        if (nl == std::string_view::npos) {
            out.torn = true;  // cut by a crash: that command never reported success
            break;
        }
        const std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl + 1);
        if (!header) {
            if (!line.starts_with(kHeader) || line.size() == kHeader.size())
                return Error{
                    "not a vpngw peers journal of this version (the first line must be \"" +
                        std::string(kHeader) + "<snapshot>\")",
                    Location{file, line_no, 1}};
            out.snapshot = line.substr(kHeader.size());
            header = true;
            continue;
        }
        JournalEntry e;
        e.line_no = line_no;
        if (line.starts_with(kAdd)) {
            e.op = JournalEntry::Op::add;
            e.line = line.substr(kAdd.size());
            e.name = e.line.substr(0, e.line.find('\t'));
        } else if (line.starts_with(kRemove)) {
            e.op = JournalEntry::Op::remove;
            e.name = line.substr(kRemove.size());
        } else {
            return Error{"a journal line starts with \"add\" or \"remove\" and a tab",
                         Location{file, line_no, 1}};
        }
        if (!is_valid_name(e.name))
            return Error{
                "name: invalid peer name " + quoted_excerpt(e.name),
                Location{file, line_no, static_cast<int>(line.size() - e.line.size()) + 1}};
        out.entries.push_back(e);
    }
    return out;
}

std::string journal_add_entry(const StoredPeer& peer) {
    std::string out(kAdd);
    append_peer_line(out, peer);
    return out;
}

std::string journal_remove_entry(std::string_view name) {
    return std::string(kRemove) + std::string(name);
}

Status append_journal(const StatePaths& paths, std::string_view snapshot, std::string_view entry) {
    if (auto s = ensure_private_dir(paths.dir); !s) return s;
    const std::string path = paths.journal_file();
    bool created = false;
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
    if (!fd && errno == ENOENT) {
        fd = UniqueFd(
            ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
        created = true;
    }
    if (!fd) return sys_error("cannot open", path);
    if (::fchmod(fd.get(), 0600) != 0) return sys_error("cannot chmod", path);
    auto keep = keep_length(fd.get(), path, snapshot);
    if (!keep) return keep.error();
    std::string bytes;
    if (*keep == 0) {
        bytes += kHeader;
        bytes += snapshot;
        bytes += '\n';
    }
    if (::ftruncate(fd.get(), *keep) != 0) return sys_error("cannot truncate", path);
    bytes += entry;
    bytes += '\n';
    // One write at the end of what is kept: a crash leaves it whole or a
    // prefix of it without its newline, which readers ignore.
    if (::lseek(fd.get(), *keep, SEEK_SET) < 0) return sys_error("cannot seek", path);
    if (auto s = write_all(fd.get(), bytes, path); !s) return s;
    if (::fdatasync(fd.get()) != 0) return sys_error("cannot fsync", path);
    if (created) return fsync_dir(paths.dir);
    return ok_status();
}

}  // namespace vpngw::store
