#include "txn/pending.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <set>
#include <sstream>

#include "store/atomic_file.hpp"
#include "txn/apply_progress.hpp"
#include "txn/op_codec.hpp"
#include "txn/toml_text.hpp"

namespace vpngw::txn {

namespace {

std::int64_t now_seconds() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

std::string clock_time(std::int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
    return buf;
}

// The state directory's own files that a revert restores. The lock, the
// apply's progress record and the revert log belong to the running process,
// not to the applied state; dot files are temporaries of atomic writes.
bool is_state_file(const store::StatePaths& paths, const std::string& name) {
    if (name.empty() || name[0] == '.') return false;
    const std::string path = paths.dir + "/" + name;
    // The peer registry is no applied state either: peer changes are refused
    // while an apply is pending, and copying a live SQLite database with its
    // -wal file is no way to restore it.
    if (name.starts_with("peers.db")) return false;
    return path != paths.lock_file() && path != paths.apply_progress_file() &&
           path != paths.legacy_apply_progress_file() && path != paths.revert_log_file();
}

Result<std::vector<std::string>> list_state_files(const store::StatePaths& paths) {
    const std::string& dir = paths.dir;
    std::vector<std::string> names;
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
        if (errno == ENOENT) return names;
        return Error{"cannot read " + dir + ": " + std::strerror(errno)};
    }
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (!is_state_file(paths, name)) continue;
        struct stat st {};
        if (::fstatat(::dirfd(d), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISREG(st.st_mode)) names.push_back(name);
    }
    ::closedir(d);
    return names;
}

std::string format_record(const PendingApply& a) {
    toml::array ifaces;
    for (const auto& [name, backend] : a.interfaces)
        ifaces.push_back(
            toml::table{{"name", name}, {"backend", static_cast<std::int64_t>(backend)}});
    toml::table t{{"id", a.id},
                  {"profile", a.profile},
                  {"created", a.created},
                  {"deadline", a.deadline},
                  {"planned", static_cast<std::int64_t>(a.planned)},
                  {"completed", static_cast<std::int64_t>(a.completed)},
                  {"wireguard_go", a.wireguard_go}};
    t.insert("interface", std::move(ifaces));
    std::ostringstream out;
    out << "# an apply waiting for `vpngw confirm`; see docs/safety.md\n" << t << "\n";
    return out.str();
}

Result<PendingApply> parse_record(const std::string& text, const std::string& file) {
    auto parsed = parse_toml(text, file);
    if (!parsed) return parsed.error();
    const toml::table& t = *parsed;
    PendingApply a;
    a.id = t["id"].value_or(std::string());
    a.profile = t["profile"].value_or(std::string());
    a.created = t["created"].value_or(std::int64_t{0});
    a.deadline = t["deadline"].value_or(std::int64_t{0});
    a.planned = static_cast<std::size_t>(t["planned"].value_or(std::int64_t{0}));
    a.completed = static_cast<std::size_t>(t["completed"].value_or(std::int64_t{0}));
    a.wireguard_go = t["wireguard_go"].value_or(std::string("wireguard-go"));
    if (const auto* arr = t["interface"].as_array())
        for (const auto& n : *arr)
            if (const auto* i = n.as_table())
                a.interfaces.emplace_back(
                    (*i)["name"].value_or(std::string()),
                    static_cast<model::Backend>((*i)["backend"].value_or(std::int64_t{0})));
    if (a.id.empty()) return Error{"the pending record has no id", {file}};
    return a;
}

Result<std::optional<PendingApply>> load_record(const store::StatePaths& paths) {
    auto text = store::read_file_if_exists(paths.pending_record_file());
    if (!text) return text.error();
    if (!*text) return std::optional<PendingApply>{};
    auto a = parse_record(**text, paths.pending_record_file());
    if (!a) return a.error();
    return std::optional<PendingApply>{std::move(*a)};
}

// Removes the record first (from then on nothing is pending), then the rest.
Status forget(const store::StatePaths& paths) {
    if (::unlink(paths.pending_record_file().c_str()) != 0 && errno != ENOENT)
        return Error{"cannot remove " + paths.pending_record_file() + ": " + std::strerror(errno)};
    std::error_code ec;
    std::filesystem::remove_all(paths.pending_dir(), ec);
    if (ec) return Error{"cannot remove " + paths.pending_dir() + ": " + ec.message()};
    return ok_status();
}

// A process killed in the middle of an atomic write leaves its temporary
// (".<name>.tmp.<pid>.<random>"). Under the lock no writer is running, so
// every such file is stale.
void remove_stale_temporaries(const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    std::vector<std::string> stale;
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name.size() > 1 && name[0] == '.' && name.find(".tmp.") != std::string::npos)
            stale.push_back(name);
    }
    ::closedir(d);
    for (const auto& name : stale) ::unlink((dir + "/" + name).c_str());
}

Status snapshot_files(const store::StatePaths& paths) {
    auto names = list_state_files(paths);
    if (!names) return names.error();
    if (auto st = store::ensure_private_dir(paths.pending_files_dir()); !st) return st;
    std::string list;
    for (const auto& name : *names) {
        auto content = store::read_file_if_exists(paths.dir + "/" + name);
        if (!content) return content.error();
        if (!*content) continue;
        auto st = store::atomic_write_file(paths.pending_files_dir() + "/" + name, **content, 0600);
        wipe(**content);
        if (!st) return st;
        list += name + "\n";
    }
    return store::atomic_write_file(paths.pending_files_list(), list, 0600);
}

Status restore_files(const store::StatePaths& paths, std::vector<std::string>& failures) {
    auto list = store::read_file_if_exists(paths.pending_files_list());
    if (!list) return list.error();
    if (!*list) return Error{"the snapshot of the state directory is missing"};
    std::set<std::string> keep;
    std::istringstream in(**list);
    for (std::string name; std::getline(in, name);)
        if (is_state_file(paths, name) && name.find('/') == std::string::npos) keep.insert(name);
    remove_stale_temporaries(paths.dir);
    auto now = list_state_files(paths);
    if (!now) return now.error();
    for (const auto& name : *now)
        if (!keep.contains(name) && ::unlink((paths.dir + "/" + name).c_str()) != 0)
            failures.push_back("removing " + paths.dir + "/" + name + ": " + std::strerror(errno));
    for (const auto& name : keep) {
        auto content = store::read_file_if_exists(paths.pending_files_dir() + "/" + name);
        if (!content) return content.error();
        if (!*content) {
            failures.push_back("the snapshot of " + name + " is missing");
            continue;
        }
        auto st = store::atomic_write_file(paths.dir + "/" + name, **content, 0600);
        wipe(**content);
        if (!st) failures.push_back(st.error().message);
    }
    return ok_status();
}

bool is_noop(const ops::Op& op) {
    if (const auto* wg = std::get_if<ops::WgChange>(&op.payload))
        return !wg->listen_port && !wg->fwmark && wg->private_key_file.empty() &&
               wg->upsert_peers.empty() && wg->remove_peers.empty();
    if (const auto* e = std::get_if<ops::NftElementsAdd>(&op.payload)) return e->elements.empty();
    if (const auto* e = std::get_if<ops::NftElementsDelete>(&op.payload))
        return e->elements.empty();
    return false;
}

}  // namespace

Result<std::optional<PendingStatus>> pending_status(const std::string& state_dir) {
    auto record = load_record(store::StatePaths{state_dir});
    if (!record) return record.error();
    if (!*record) return std::optional<PendingStatus>{};
    PendingStatus s;
    s.apply = std::move(**record);
    s.left = std::chrono::seconds(std::max<std::int64_t>(0, s.apply.deadline - now_seconds()));
    return std::optional<PendingStatus>{std::move(s)};
}

std::string describe_pending(const PendingStatus& s) {
    return "up " + s.apply.profile + " (applied at " + clock_time(s.apply.created) +
           "), reverts at " + clock_time(s.apply.deadline) + " (" + std::to_string(s.left.count()) +
           " s left)";
}

Status refuse_while_pending(const std::string& state_dir) {
    auto pending = pending_status(state_dir);
    if (!pending) return pending.error();
    if (*pending)
        return Error{"an apply is pending confirmation: " + describe_pending(**pending) +
                     "; run `vpngw confirm` to keep it or `vpngw rollback` to undo it first"};
    return ok_status();
}

Status prepare_pending(const store::StatePaths& paths) {
    auto existing = pending_status(paths.dir);
    if (!existing) return existing.error();
    if (*existing)
        return Error{"an apply is already pending confirmation: " + describe_pending(**existing) +
                     "; run `vpngw confirm` or `vpngw rollback` first"};
    // Leftovers of an interrupted start (no record): not pending, start over.
    if (auto st = forget(paths); !st) return st;
    if (auto st = store::ensure_private_dir(paths.dir); !st) return st;
    if (auto st = store::ensure_private_dir(paths.pending_dir()); !st) return st;
    return snapshot_files(paths);
}

Status begin_pending(const store::StatePaths& paths, const PendingApply& apply,
                     const std::vector<ops::Op>& inverse) {
    if (auto st = store::atomic_write_file(paths.pending_inverse_file(), encode_ops(inverse), 0600);
        !st)
        return st;
    return update_pending(paths, apply);
}

Status discard_pending(const store::StatePaths& paths) {
    return forget(paths);
}

Status update_pending(const store::StatePaths& paths, const PendingApply& apply) {
    return store::atomic_write_file(paths.pending_record_file(), format_record(apply), 0600);
}

Result<std::optional<PendingApply>> confirm_pending(const store::StatePaths& paths) {
    auto record = load_record(paths);
    if (!record) return record.error();
    if (!*record) return std::optional<PendingApply>{};
    if (auto st = forget(paths); !st) return st.error();
    return record;
}

std::vector<std::size_t> undo_order(const PendingApply& a, std::size_t inverse_count) {
    std::size_t n = std::min(inverse_count, a.completed + (a.completed < a.planned ? 1 : 0));
    std::vector<std::size_t> order;
    order.reserve(n);
    for (std::size_t i = n; i-- > 0;) order.push_back(i);
    return order;
}

Result<std::optional<RevertReport>> revert_pending(const store::StatePaths& paths,
                                                   const OpenRunner& open,
                                                   const std::string& only_id) {
    auto record = load_record(paths);
    if (!record) return record.error();
    if (!*record || (!only_id.empty() && (*record)->id != only_id))
        return std::optional<RevertReport>{};
    RevertReport report;
    report.apply = **record;
    const auto& a = report.apply;

    auto text = store::read_file_if_exists(paths.pending_inverse_file());
    if (!text) return text.error();
    if (!*text) return Error{"the pending apply has no " + paths.pending_inverse_file()};
    auto inverse = decode_ops(**text, paths.pending_inverse_file());
    if (!inverse) return inverse.error();

    auto run = open(a.wireguard_go, a.interfaces);
    if (!run) return run.error();
    // An interrupted apply may have started the op after the last completed
    // one: undo it too, but its failure only means it never happened.
    for (std::size_t i : undo_order(a, inverse->size())) {
        const auto& op = (*inverse)[i];
        if (is_noop(op)) continue;
        if (auto done = (*run)(op))
            ++report.undone;
        else if (i < a.completed)
            report.failures.push_back(done.error().message);
    }
    if (auto st = restore_files(paths, report.failures); !st)
        report.failures.push_back(st.error().message);
    if (auto st = forget(paths); !st) return st.error();
    // The kernel is back to the snapshot: the progress record of the reverted
    // apply (left when the CLI was killed mid-apply) describes nothing real now.
    if (auto st = remove_progress(paths); !st) report.failures.push_back(st.error().message);
    return std::optional<RevertReport>{std::move(report)};
}

void log_revert(const store::StatePaths& paths, const std::string& line) {
    const std::string file = paths.revert_log_file();
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return;
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S ", &tm);
    std::string out = stamp + line + "\n";
    [[maybe_unused]] ssize_t w = ::write(fd, out.data(), out.size());
    ::close(fd);
}

}  // namespace vpngw::txn
