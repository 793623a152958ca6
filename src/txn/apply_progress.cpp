#include "txn/apply_progress.hpp"

#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <sstream>

#include "store/atomic_file.hpp"
#include "txn/toml_text.hpp"

namespace vpngw::txn {

namespace {

std::string link_created_by(const ops::Op& op) {
    if (const auto* c = std::get_if<ops::LinkCreate>(&op.payload)) return c->link.name;
    return "";
}

// Rewritten after every operation, so one fsync each rather than two. The
// record guards against a killed process, whose writes the page cache keeps;
// what it describes (links, tables, routes, wireguard-go) does not outlive a
// power loss, after which the old record or the new one, whole, is as good.
Status write(const store::StatePaths& paths, const ApplyProgress& p) {
    return store::atomic_write_file(paths.apply_progress_file(), format_progress(p), 0600,
                                    store::AfterPowerLoss::old_or_new_file);
}

// Reads the record's fields, each with the type vpngw writes; the first
// field that is missing or of another type is the error.
class Fields {
  public:
    Fields(const toml::table& t, std::string file) : t_(t), file_(std::move(file)) {}

    template <class T>
    bool get(const char* key, T& out) {
        if (failed_) return false;
        const toml::node* n = t_.get(key);
        if (!n) return fail(key, "is missing", t_.source());
        auto v = n->value<T>();
        if (!v || !n->is<T>()) return fail(key, "has the wrong type", n->source());
        out = *v;
        return true;
    }
    bool strings(const char* key, std::vector<std::string>& out) {
        if (failed_) return false;
        const toml::node* n = t_.get(key);
        if (!n) return fail(key, "is missing", t_.source());
        const auto* arr = n->as_array();
        if (!arr) return fail(key, "is not an array", n->source());
        for (const auto& e : *arr) {
            if (!e.is_string()) return fail(key, "holds a value that is not a string", e.source());
            out.push_back(*e.value<std::string>());
        }
        return true;
    }
    bool fail(const std::string& key, const std::string& what, const toml::source_region& where) {
        if (!failed_) error_ = Error{"\"" + key + "\" " + what, toml_location(file_, where)};
        failed_ = true;
        return false;
    }
    const toml::node* node(const char* key) const { return t_.get(key); }
    std::optional<Error> error() const { return failed_ ? std::optional(error_) : std::nullopt; }

  private:
    const toml::table& t_;
    std::string file_;
    bool failed_ = false;
    Error error_;
};

// A record left under the previous release's name becomes the current one,
// unless a current one exists (then the old one is stale: it predates it).
Status migrate_legacy(const store::StatePaths& paths) {
    const std::string legacy = paths.legacy_apply_progress_file();
    const std::string current = paths.apply_progress_file();
    if (::access(legacy.c_str(), F_OK) != 0) return ok_status();
    if (::access(current.c_str(), F_OK) == 0) {
        if (::unlink(legacy.c_str()) != 0 && errno != ENOENT)
            return Error{"cannot remove " + legacy + ": " + std::strerror(errno)};
        return ok_status();
    }
    if (::rename(legacy.c_str(), current.c_str()) != 0 && errno != ENOENT)
        return Error{"cannot rename " + legacy + " to " + current + ": " + std::strerror(errno)};
    return ok_status();
}

}  // namespace

std::optional<std::string> ApplyProgress::interrupted_op() const {
    if (completed < ops.size()) return ops[completed];
    return std::nullopt;
}

std::string ApplyProgress::summary() const {
    std::string s = command + " of " + profile + " (pid " + std::to_string(pid) +
                    ") was interrupted after " + std::to_string(completed) + " of " +
                    std::to_string(ops.size()) + " operation(s)";
    if (auto next = interrupted_op()) s += "; next was: " + *next;
    return s;
}

std::string format_progress(const ApplyProgress& p) {
    toml::array ops;
    for (const auto& d : p.ops) ops.push_back(d);
    toml::table t{{"command", p.command},
                  {"profile", p.profile},
                  {"pid", p.pid},
                  {"started", p.started},
                  {"completed", static_cast<std::int64_t>(p.completed)},
                  {"in_flight_link", p.in_flight_link}};
    t.insert("ops", std::move(ops));
    std::ostringstream out;
    out << "# an apply in progress; left behind only when vpngw was killed mid-apply\n"
        << t << "\n";
    return out.str();
}

Result<ApplyProgress> parse_progress(const std::string& text, const std::string& file) {
    auto t = parse_toml(text, file);
    if (!t) return t.error();
    Fields f(*t, file);
    ApplyProgress p;
    std::int64_t completed = 0;
    f.get("command", p.command);
    f.get("profile", p.profile);
    f.get("pid", p.pid);
    f.get("started", p.started);
    f.get("completed", completed);
    f.strings("ops", p.ops);
    if (f.node("in_flight_link")) f.get("in_flight_link", p.in_flight_link);
    if (auto e = f.error()) return *e;
    if (p.command != "up" && p.command != "down")
        f.fail("command", "is neither \"up\" nor \"down\"", f.node("command")->source());
    else if (completed < 0 || static_cast<std::uint64_t>(completed) > p.ops.size())
        f.fail("completed",
               "is not between 0 and the " + std::to_string(p.ops.size()) + " planned operations",
               f.node("completed")->source());
    if (auto e = f.error()) return *e;
    p.completed = static_cast<std::size_t>(completed);
    return p;
}

std::optional<std::string> link_to_adopt(const ApplyProgress& interrupted,
                                         const std::vector<std::string>& foreign_links) {
    if (interrupted.in_flight_link.empty()) return std::nullopt;
    if (std::find(foreign_links.begin(), foreign_links.end(), interrupted.in_flight_link) ==
        foreign_links.end())
        return std::nullopt;
    return interrupted.in_flight_link;
}

Status begin_progress(const store::StatePaths& paths, ApplyProgress& progress,
                      const std::vector<ops::Op>& planned) {
    progress.pid = ::getpid();
    progress.started = static_cast<std::int64_t>(std::time(nullptr));
    progress.ops.clear();
    progress.ops.reserve(planned.size());
    for (const auto& op : planned) {
        std::string d = op.describe();
        progress.ops.push_back(d.substr(0, d.find('\n')));
    }
    if (auto st = store::ensure_private_dir(paths.dir); !st) return st;
    return advance_progress(paths, progress, 0, planned);
}

Status advance_progress(const store::StatePaths& paths, ApplyProgress& progress, std::size_t done,
                        const std::vector<ops::Op>& planned) {
    progress.completed = done;
    progress.in_flight_link = done < planned.size() ? link_created_by(planned[done]) : "";
    return write(paths, progress);
}

Result<std::optional<ApplyProgress>> load_progress(const store::StatePaths& paths) {
    if (auto st = migrate_legacy(paths); !st) return st.error();
    const std::string file = paths.apply_progress_file();
    auto text = store::read_file_if_exists(file);
    if (!text) return text.error();
    if (!*text) return std::optional<ApplyProgress>{};
    auto p = parse_progress(**text, file);
    if (!p) return p.error();
    return std::optional<ApplyProgress>{std::move(*p)};
}

Status remove_progress(const store::StatePaths& paths) {
    for (const std::string& file :
         {paths.apply_progress_file(), paths.legacy_apply_progress_file()})
        if (::unlink(file.c_str()) != 0 && errno != ENOENT)
            return Error{"cannot remove " + file + ": " + std::strerror(errno)};
    return ok_status();
}

}  // namespace vpngw::txn
