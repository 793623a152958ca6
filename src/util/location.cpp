#include "util/location.hpp"

#include <mutex>
#include <ostream>
#include <unordered_set>

namespace vpngw {

namespace {

struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// The process's file names. Never destroyed: a Location in a static object
// may still be read while others are destroyed at exit.
const std::string* intern(std::string_view name) {
    // Most Locations in a row name the file the last one named: no lock, no hash.
    thread_local const std::string* last = nullptr;
    if (last && *last == name) return last;
    static std::mutex lock;
    static auto* names = new std::unordered_set<std::string, NameHash, std::equal_to<>>;
    const std::lock_guard held(lock);
    auto it = names->find(name);
    if (it == names->end()) it = names->emplace(name).first;
    last = &*it;  // set nodes never move
    return last;
}

}  // namespace

FileName::FileName(std::string_view name) : name_(name.empty() ? nullptr : intern(name)) {}

const std::string& FileName::str() const {
    static const std::string empty_name;
    return name_ ? *name_ : empty_name;
}

std::ostream& operator<<(std::ostream& os, const FileName& f) {
    return os << f.str();
}

}  // namespace vpngw
