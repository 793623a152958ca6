#pragma once

// Values for the escaper property tests: every character class an attacker
// can put in a profile, a wg-quick file or an argument.

#include <string>
#include <vector>

namespace vpngw::escape::testing {

// Each single byte 0x01-0xff between 'a' and 'b' (0x80-0xff alone are
// invalid UTF-8), NUL, the Unicode line breaks and format characters, valid
// multi-byte text, and injection attempts for each consumer.
std::vector<std::string> samples();

// Runs `script` with bash; its stdout, or the test fails with stderr.
std::string run_bash(const std::string& script, int* status = nullptr);

// A fresh directory under TMPDIR, removed by the destructor.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    void write(const std::string& name, const std::string& bytes) const;
    std::string read(const std::string& name) const;

  private:
    std::string path_;
};

}  // namespace vpngw::escape::testing
