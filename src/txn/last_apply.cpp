#include "txn/last_apply.hpp"

#include <charconv>
#include <sstream>

#include "store/atomic_file.hpp"

namespace vpngw::txn {

namespace {

bool parse_int(const std::string& text, std::int64_t& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::string format_last_apply(const LastApply& r) {
    return "finished = " + std::to_string(r.finished) +
           "\nduration_ms = " + std::to_string(r.duration_ms) +
           "\nresult = " + (r.ok ? "ok" : "failed") + "\nchanges = " + std::to_string(r.changes) +
           "\n";
}

std::optional<LastApply> parse_last_apply(const std::string& text) {
    LastApply r;
    bool finished = false, duration = false, result = false;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        auto eq = line.find(" = ");
        if (eq == std::string::npos) continue;
        const std::string key = line.substr(0, eq), value = line.substr(eq + 3);
        std::int64_t n = 0;
        if (key == "finished" && parse_int(value, n)) {
            r.finished = n;
            finished = true;
        } else if (key == "duration_ms" && parse_int(value, n)) {
            r.duration_ms = n;
            duration = true;
        } else if (key == "changes" && parse_int(value, n) && n >= 0) {
            r.changes = static_cast<std::size_t>(n);
        } else if (key == "result" && (value == "ok" || value == "failed")) {
            r.ok = value == "ok";
            result = true;
        }
    }
    if (!finished || !duration || !result) return std::nullopt;
    return r;
}

Status save_last_apply(const store::StatePaths& paths, const LastApply& record) {
    if (auto dir = store::ensure_private_dir(paths.dir); !dir) return dir.error();
    return store::atomic_write_file(paths.last_apply_file(), format_last_apply(record), 0600);
}

Result<std::optional<LastApply>> load_last_apply(const store::StatePaths& paths) {
    auto text = store::read_file_if_exists(paths.last_apply_file());
    if (!text) return text.error();
    if (!*text) return std::optional<LastApply>{};
    return parse_last_apply(**text);
}

}  // namespace vpngw::txn
