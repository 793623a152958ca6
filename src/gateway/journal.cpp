#include "gateway/journal.hpp"

#include <toml++/toml.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <sstream>

#include "store/atomic_file.hpp"

namespace vpngw::gateway {

namespace {

std::string journal_file(const store::StatePaths& paths) {
    return paths.dir + "/journal";
}

std::string link_created_by(const ops::Op& op) {
    if (const auto* c = std::get_if<ops::LinkCreate>(&op.payload)) return c->link.name;
    return "";
}

Status write(const store::StatePaths& paths, const Journal& j) {
    toml::array ops;
    for (const auto& d : j.ops) ops.push_back(d);
    toml::table t{{"command", j.command},
                  {"profile", j.profile},
                  {"pid", j.pid},
                  {"started", j.started},
                  {"completed", static_cast<std::int64_t>(j.completed)},
                  {"in_flight_link", j.in_flight_link}};
    t.insert("ops", std::move(ops));
    std::ostringstream out;
    out << "# an apply in progress; left behind only when vpngw was killed mid-apply\n"
        << t << "\n";
    return store::atomic_write_file(journal_file(paths), out.str(), 0600);
}

}  // namespace

std::optional<std::string> Journal::interrupted_op() const {
    if (completed < ops.size()) return ops[completed];
    return std::nullopt;
}

std::string Journal::summary() const {
    std::string s = command + " of " + profile + " (pid " + std::to_string(pid) +
                    ") was interrupted after " + std::to_string(completed) + " of " +
                    std::to_string(ops.size()) + " operation(s)";
    if (auto next = interrupted_op()) s += "; next was: " + *next;
    return s;
}

Status journal_begin(const store::StatePaths& paths, Journal& journal,
                     const std::vector<ops::Op>& planned) {
    journal.pid = ::getpid();
    journal.started = static_cast<std::int64_t>(std::time(nullptr));
    journal.ops.clear();
    journal.ops.reserve(planned.size());
    for (const auto& op : planned) {
        std::string d = op.describe();
        journal.ops.push_back(d.substr(0, d.find('\n')));
    }
    if (auto st = store::ensure_private_dir(paths.dir); !st) return st;
    return journal_advance(paths, journal, 0, planned);
}

Status journal_advance(const store::StatePaths& paths, Journal& journal, std::size_t done,
                       const std::vector<ops::Op>& planned) {
    journal.completed = done;
    journal.in_flight_link = done < planned.size() ? link_created_by(planned[done]) : "";
    return write(paths, journal);
}

Result<std::optional<Journal>> journal_load(const store::StatePaths& paths) {
    auto text = store::read_file_if_exists(journal_file(paths));
    if (!text) return text.error();
    if (!*text) return std::optional<Journal>{};
    toml::table t;
#if TOML_EXCEPTIONS
    try {
        t = toml::parse(**text, journal_file(paths));
    } catch (const toml::parse_error& e) {
        return Error{std::string(e.description()), {journal_file(paths)}};
    }
#else
    auto r = toml::parse(**text, journal_file(paths));
    if (!r) return Error{std::string(r.error().description()), {journal_file(paths)}};
    t = std::move(r.table());
#endif
    Journal j;
    j.command = t["command"].value_or(std::string());
    j.profile = t["profile"].value_or(std::string());
    j.pid = t["pid"].value_or(std::int64_t{0});
    j.started = t["started"].value_or(std::int64_t{0});
    j.completed = static_cast<std::size_t>(t["completed"].value_or(std::int64_t{0}));
    j.in_flight_link = t["in_flight_link"].value_or(std::string());
    if (const auto* arr = t["ops"].as_array())
        for (const auto& n : *arr) j.ops.push_back(n.value_or(std::string()));
    return std::optional<Journal>{std::move(j)};
}

Status journal_remove(const store::StatePaths& paths) {
    if (::unlink(journal_file(paths).c_str()) != 0 && errno != ENOENT)
        return Error{"cannot remove " + journal_file(paths) + ": " + std::strerror(errno)};
    return ok_status();
}

}  // namespace vpngw::gateway
