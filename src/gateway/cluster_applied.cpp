#include "gateway/cluster_applied.hpp"

#include <charconv>
#include <string>
#include <string_view>

#include "store/atomic_file.hpp"

namespace vpngw::gateway {

namespace {

std::optional<std::int64_t> parse_field(std::string_view line, std::string_view name) {
    if (line.size() <= name.size() + 1 || line.substr(0, name.size()) != name ||
        line[name.size()] != ' ')
        return std::nullopt;
    line.remove_prefix(name.size() + 1);
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), v);
    if (ec != std::errc{} || end != line.data() + line.size() || v < 0) return std::nullopt;
    return v;
}

}  // namespace

Result<std::optional<ClusterApplied>> read_cluster_applied(const store::StatePaths& paths) {
    const auto file = paths.cluster_applied_file();
    auto text = store::read_file_if_exists(file, store::Links::refuse);
    if (!text) return text.error();
    if (!*text) return std::optional<ClusterApplied>{};
    const std::string& t = **text;
    std::string_view lines[2];
    std::size_t start = 0;
    for (int i = 0; i < 2; ++i) {
        const auto nl = t.find('\n', start);
        if (nl == std::string::npos)
            return Error{"line " + std::to_string(i + 1) + " is missing", {file, i + 1, 1}};
        lines[i] = std::string_view(t).substr(start, nl - start);
        start = nl + 1;
    }
    auto revision = parse_field(lines[0], "revision");
    if (!revision) return Error{"expected \"revision N\"", {file, 1, 1}};
    auto at = parse_field(lines[1], "applied_at");
    if (!at) return Error{"expected \"applied_at UNIX-SECONDS\"", {file, 2, 1}};
    if (start != t.size()) return Error{"unexpected text after line 2", {file, 3, 1}};
    return std::optional<ClusterApplied>{
        ClusterApplied{*revision, std::chrono::sys_seconds{std::chrono::seconds{*at}}}};
}

Status write_cluster_applied(const store::StatePaths& paths, const ClusterApplied& applied) {
    const std::string text = "revision " + std::to_string(applied.revision) + "\napplied_at " +
                             std::to_string(applied.applied_at.time_since_epoch().count()) + "\n";
    return store::atomic_write_file(paths.cluster_applied_file(), text, 0600);
}

}  // namespace vpngw::gateway
