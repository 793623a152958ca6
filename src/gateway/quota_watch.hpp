#pragma once

// The long-running monitor's view of the peers for quota resets: the peers
// of the profile and the registry as they are now, not as they were when the
// monitor started. Reading them again costs O(peers), so it happens only
// when the files they come from changed: the profile file and the registry
// (peers.db and its write-ahead log, where every commit lands). A change is
// seen from the files' stat (device, inode, size and mtime in nanoseconds),
// which costs three stat calls per check. Not the ctime: SQLite running as
// root chowns the write-ahead log whenever a reader (`status`, `peer list`)
// opens it, and that would read every peer again for nothing. A file changed within
// the last seconds before a look may change again with the same stamp (the
// clock behind mtime is coarse), so such a look counts as changed once more
// the next time: a change is never missed, at most read twice.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace vpngw::gateway {

struct FileStamp {
    bool exists = false;
    std::uint64_t dev = 0, ino = 0, size = 0;
    std::int64_t mtime_ns = 0;

    bool operator==(const FileStamp&) const = default;
};

FileStamp stamp_file(const std::string& path);

// Whether what was read from `paths` may be out of date.
class ChangeWatch {
  public:
    // Stamps the files: take it before reading them, so a change made while
    // they are read shows at the next look.
    ChangeWatch(std::vector<std::string> paths, std::chrono::system_clock::time_point now);

    // True when a file's stamp differs from the last look's (or that look
    // was too close to a change to tell); stamps them again either way.
    bool changed(std::chrono::system_clock::time_point now);

    // The next changed() says true whatever the stamps: for files read before
    // the watch was made, or a read that failed and is to be tried again.
    void mark_unsure() { racy_ = true; }

  private:
    void look(std::chrono::system_clock::time_point now);

    std::vector<std::string> paths_;
    std::vector<FileStamp> stamps_;
    bool racy_ = false;
};

// The files a merged session's peers come from: the profile, peers.db and
// peers.db-wal in `state_dir`.
std::vector<std::string> peer_sources(const std::string& profile_path,
                                      const std::string& state_dir);

}  // namespace vpngw::gateway
