#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdlib>
#include <filesystem>
#include <string>

// A fresh directory under /tmp, removed with everything in it at scope exit.
class TempDir {
  public:
    TempDir() {
        char tmpl[] = "/tmp/vpngw-test-XXXXXX";
        if (mkdtemp(tmpl)) path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        if (!path_.empty()) std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }
    std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

  private:
    std::string path_;
};

// Permission bits of a path, or -1 when it does not exist.
inline int mode_of(const std::string& path) {
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0) return -1;
    return static_cast<int>(st.st_mode & 07777);
}

// Sets the umask for a scope.
class ScopedUmask {
  public:
    explicit ScopedUmask(mode_t m) : old_(umask(m)) {}
    ~ScopedUmask() { umask(old_); }

  private:
    mode_t old_;
};
