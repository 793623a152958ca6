#include "gateway/quota_watch.hpp"

#include <sys/stat.h>

#include "store/state_paths.hpp"

namespace vpngw::gateway {
namespace {

// Within this of a look, a file's mtime may not tell a later write apart.
constexpr std::chrono::seconds kRacyWindow{2};

std::int64_t ns_of(const timespec& t) {
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

}  // namespace

FileStamp stamp_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {};
    return {true, static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
            static_cast<std::uint64_t>(st.st_size), ns_of(st.st_mtim)};
}

ChangeWatch::ChangeWatch(std::vector<std::string> paths, std::chrono::system_clock::time_point now)
    : paths_(std::move(paths)) {
    look(now);
}

void ChangeWatch::look(std::chrono::system_clock::time_point now) {
    stamps_.clear();
    racy_ = false;
    const std::int64_t now_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
    const std::int64_t window = std::chrono::nanoseconds(kRacyWindow).count();
    for (const auto& p : paths_) {
        stamps_.push_back(stamp_file(p));
        const auto& s = stamps_.back();
        if (s.exists && now_ns - s.mtime_ns < window) racy_ = true;
    }
}

bool ChangeWatch::changed(std::chrono::system_clock::time_point now) {
    const std::vector<FileStamp> before = stamps_;
    const bool was_racy = racy_;
    look(now);
    return was_racy || stamps_ != before;
}

std::vector<std::string> peer_sources(const std::string& profile_path,
                                      const std::string& state_dir) {
    store::StatePaths paths;
    paths.dir = state_dir;
    const std::string db = paths.registry_file();
    return {profile_path, db, db + "-wal"};
}

}  // namespace vpngw::gateway
