#pragma once

#include <compare>
#include <iosfwd>
#include <string>
#include <string_view>

namespace vpngw {

// The name of a file a Location points into, held once per process: every
// Location of one file shares one string, so a million peers read from one
// registry carry a pointer each rather than a heap copy of its path (issue 19:
// that copy went through the model, the WireGuard peers, the nft elements and
// the diff). Names are interned for the life of the process; a process names
// a handful of files (profile, registry, state files). Copying is a pointer
// copy, comparing two names a pointer compare.
class FileName {
  public:
    FileName() = default;  // ""
    FileName(std::string_view name);
    FileName(const std::string& name) : FileName(std::string_view(name)) {}
    FileName(const char* name) : FileName(std::string_view(name)) {}

    const std::string& str() const;
    operator const std::string&() const { return str(); }
    bool empty() const { return name_ == nullptr; }
    const char* c_str() const { return str().c_str(); }

    // Interned: equal names are one string.
    friend bool operator==(const FileName& a, const FileName& b) { return a.name_ == b.name_; }
    friend bool operator==(const FileName& a, const std::string& b) { return a.str() == b; }
    friend bool operator==(const FileName& a, std::string_view b) { return a.str() == b; }
    friend bool operator==(const FileName& a, const char* b) { return a.str() == b; }
    friend std::strong_ordering operator<=>(const FileName& a, const FileName& b) {
        return a.str().compare(b.str()) <=> 0;
    }
    friend std::string operator+(const FileName& a, std::string_view b) {
        return a.str() + std::string(b);
    }
    friend std::ostream& operator<<(std::ostream& os, const FileName& f);

  private:
    const std::string* name_ = nullptr;  // nullptr: ""
};

// A place in a profile. Line and column are 1-based; 0 means "unknown" so a
// location can be carried even when toml++ has no source region for a value.
struct Location {
    FileName file;
    int line = 0;
    int column = 0;

    bool known() const { return line > 0; }
    std::string str() const;  // "file:line:col", or "file" when unknown
    friend bool operator==(const Location&, const Location&) = default;
};

}  // namespace vpngw
