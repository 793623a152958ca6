#include "gateway/apply_profile.hpp"

#include <malloc.h>

#include <ctime>

#include "exec/apply.hpp"
#include "exec/nft_listing.hpp"
#include "exec/observe.hpp"
#include "gateway/confirm_timer.hpp"
#include "gateway/desired.hpp"
#include "gateway/guard_check.hpp"
#include "gateway/journal.hpp"
#include "gateway/last_apply.hpp"
#include "gateway/sysctl_baseline.hpp"
#include "keys/keys.hpp"
#include "netlink/addresses.hpp"
#include "netlink/links.hpp"
#include "netlink/routes.hpp"
#include "netlink/rules.hpp"
#include "nft/ruleset.hpp"
#include "ops/diff.hpp"
#include "store/atomic_file.hpp"
#include "store/peer_store.hpp"
#include "wg/key_file.hpp"

namespace vpngw::gateway {

namespace {

// Drops both states and hands the freed pages back to the kernel, so what
// the apply allocates next starts from a small resident set.
void release_memory(ops::Desired& desired, ops::Observed& observed) {
    desired = {};
    observed = {};
    malloc_trim(0);
}

// Frees the profile's (merged) peers, once the desired state holds what the
// command needs of them.
void release_peers(Session& session) {
    // Not `= {}`: that assigns an empty initializer list and keeps the capacity.
    std::vector<model::Peer>().swap(session.profile.peers);
}

struct Kernel {
    netlink::NetlinkSocket sock;
    exec::Backends backends;
};

Result<Kernel> open_kernel(const Session& session) {
    auto sock = netlink::NetlinkSocket::open();
    if (!sock) return sock.error();
    wg::UserspaceOptions userspace;
    userspace.binary = session.options.wireguard_go;
    return Kernel{std::move(*sock), exec::Backends(userspace)};
}

// vpngw refuses to adopt a link it did not create: it would otherwise
// reconfigure (and on `down`, delete) an interface someone else manages.
Status refuse_foreign_links(const ops::Observed& observed, const ops::Desired& desired) {
    for (const auto& name : observed.foreign_links) {
        Location where;
        for (const auto& l : desired.state.links)
            if (l.name == name) where = l.origin;
        return Error{"interface " + name +
                         " already exists and was not created by vpngw; remove it or choose "
                         "another name",
                     where};
    }
    return ok_status();
}

// A run killed between creating a link and marking it as vpngw's leaves a
// link that looks foreign; the journal says it is ours, so mark it now.
Status adopt_interrupted_link(const std::optional<Journal>& journal, Kernel& kernel,
                              const model::Profile& profile, ops::Observed& observed,
                              ChangeReport& report) {
    if (!journal || journal->in_flight_link.empty()) return ok_status();
    auto& foreign = observed.foreign_links;
    auto it = std::find(foreign.begin(), foreign.end(), journal->in_flight_link);
    if (it == foreign.end()) return ok_status();
    // Marked through exec like any change, and at once: the diff that
    // follows must see the link as vpngw's.
    const ops::Op mark{ops::LinkMark{*it, state::kLinkAlias, ""}, {}};
    exec::ApplyContext ctx{kernel.sock, kernel.backends, profile, {}, ""};
    if (auto st = exec::apply({mark}, ctx); !st) return st.error();
    report.notes.push_back("interface " + *it +
                           " was created by the interrupted run; marked it as vpngw's");
    foreign.erase(it);
    return ok_status();
}

Result<GuardKernel> read_guard_kernel(netlink::NetlinkSocket& sock) {
    GuardKernel k;
    auto addrs = netlink::dump_addresses(sock);
    if (!addrs) return addrs.error();
    k.addresses = std::move(*addrs);
    auto routes = netlink::dump_routes(sock, std::nullopt);
    if (!routes) return routes.error();
    for (auto& r : *routes)
        if (r.route.table == 254) k.main_routes.push_back(std::move(r.route));
    return k;
}

Status run_guard(const Session& session, const ops::Desired& desired, Kernel& kernel,
                 const UpOptions& options) {
    if (options.force || (!options.ssh && !session.profile.firewall.management)) return ok_status();
    auto live = read_guard_kernel(kernel.sock);
    if (!live) return live.error();
    auto problems = check_lockout(session.profile, desired, options.ssh, *live);
    if (problems.empty()) return ok_status();
    std::string message = problems.front().message;
    for (std::size_t i = 1; i < problems.size(); ++i) message += "\n  also: " + problems[i].message;
    message += "\nnothing was changed; fix the profile, or pass --force (best with --confirm)";
    return Error{message, problems.front().where};
}

// The WireGuard change that puts a device back as observed before `change`.
ops::WgChange reverse_wg(const ops::WgChange& change, const ops::WgObserved* before,
                         const std::string& old_key_file) {
    ops::WgChange back;
    back.ifname = change.ifname;
    if (!before) return back;  // the device is new: deleting the link undoes it
    if (change.listen_port) back.listen_port = before->listen_port;
    if (change.fwmark) back.fwmark = before->fwmark;
    if (!change.private_key_file.empty()) back.private_key_file = old_key_file;
    auto find = [&](const PublicKey& k) -> const state::WgPeer* {
        for (const auto& p : before->peers)
            if (p.public_key == k) return &p;
        return nullptr;
    };
    for (const auto& peer : change.upsert_peers) {
        if (const auto* old = find(peer.public_key))
            back.upsert_peers.push_back(*old);
        else
            back.remove_peers.push_back(peer.public_key);
    }
    for (const auto& key : change.remove_peers)
        if (const auto* old = find(key)) back.upsert_peers.push_back(*old);
    return back;
}

// The snapshot copy of the key file whose public key the device had, so a
// revert can load it again ("" when none matches: the key stays the new one).
std::string snapshot_key_for(const store::StatePaths& paths, const ops::WgObserved* before) {
    if (!before || !before->public_key) return "";
    const std::string dir = pending_files_dir(paths);
    auto list = store::read_file_if_exists(dir + "/.list");
    if (!list || !*list) return "";
    std::istringstream in(**list);
    for (std::string name; std::getline(in, name);) {
        if (name.size() < 4 || name.substr(name.size() - 4) != ".key") continue;
        auto secret = wg::read_key_file(dir + "/" + name);
        if (secret && keys::public_from_private(*secret) == *before->public_key)
            return dir + "/" + name;
    }
    return "";
}

// For each planned op, the op that undoes it once applied, computed before
// anything runs, so that another process can undo a prefix of the plan.
Result<std::vector<ops::Op>> inverse_ops(const std::vector<ops::Op>& planned,
                                         const ops::Observed& observed,
                                         const store::StatePaths& paths) {
    std::optional<std::optional<std::string>> table_before;
    std::vector<ops::Op> inverse;
    inverse.reserve(planned.size());
    for (const auto& op : planned) {
        if (const auto* nft = std::get_if<ops::NftReplace>(&op.payload)) {
            if (!table_before) {
                auto listed = nft::list_owned_table();
                if (!listed) return listed.error();
                table_before = *listed;
            }
            std::string restore;
            if (*table_before)
                restore = "table inet vpngw\ndelete table inet vpngw\n" + **table_before;
            inverse.push_back({ops::NftReplace{restore, nft->text}, op.origin});
        } else if (const auto* wg = std::get_if<ops::WgChange>(&op.payload)) {
            const ops::WgObserved* before = nullptr;
            for (const auto& w : observed.wireguard)
                if (w.ifname == wg->ifname) before = &w;
            std::string old_key =
                wg->private_key_file.empty() ? "" : snapshot_key_for(paths, before);
            inverse.push_back({reverse_wg(*wg, before, old_key), op.origin});
        } else {
            inverse.push_back(ops::inverse(op));
        }
    }
    return inverse;
}

std::int64_t now_seconds() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

PendingApply new_pending(const Session& session, std::size_t planned, std::chrono::seconds wait) {
    PendingApply a;
    a.created = now_seconds();
    a.id = std::to_string(a.created) + "-" + std::to_string(::getpid());
    a.profile = session.options.profile_path;
    a.deadline = a.created + wait.count();
    a.planned = planned;
    a.wireguard_go = session.options.wireguard_go;
    for (const auto& i : session.profile.interfaces) a.interfaces.emplace_back(i.name, i.backend);
    return a;
}

enum class Mode { up, down };

// Consumes the session's peer lists: `up` and `down` end the command, and at
// 50,000 peers the stored list and the profile's merged peers are ~13 MiB
// each, which the desired and observed state would otherwise sit on top of.
Result<ChangeReport> apply_profile(Session& session, Mode mode, const UpOptions& options) {
    const store::StatePaths& paths = session.paths;
    session.stored = {};  // merged into session.profile already
    if (auto st = refuse_while_pending(session.paths.dir); !st) return st.error();
    ChangeReport report;
    auto journal = journal_load(paths);
    if (!journal) return journal.error();
    if (*journal) report.interrupted = (*journal)->summary();

    // The snapshot comes before anything in the state directory changes
    // (resolve_desired may generate a key).
    const bool confirm = mode == Mode::up && options.confirm.has_value();
    if (confirm)
        if (auto st = prepare_pending(paths); !st) return st.error();
    auto abandon = [&](Error e) -> Result<ChangeReport> {
        if (confirm) (void)discard_pending(paths);
        return e;
    };

    // The ruleset text is rendered only when the table is to be replaced
    // (`down` deletes it and never needs it).
    auto desired = resolve_desired(
        session.profile, mode == Mode::up ? KeyPolicy::generate_missing : KeyPolicy::read_only,
        RulesetText::later);
    if (!desired) return abandon(desired.error());
    release_peers(session);  // planned: from here on nothing reads them
    auto kernel = open_kernel(session);
    if (!kernel) return abandon(kernel.error());
    auto observed = exec::observe(*desired, kernel->sock, kernel->backends,
                                  exec::nft_listing_file(session.paths.dir));
    if (!observed) return abandon(observed.error());
    if (mode == Mode::up) render_ruleset_if_replaced(session.profile, *desired, *observed);
    if (auto st = adopt_interrupted_link(*journal, *kernel, session.profile, *observed, report);
        !st)
        return abandon(st.error());

    if (mode == Mode::down) {
        auto baseline = load_sysctl_baseline(paths);
        if (!baseline) return baseline.error();
        report.ops = ops::diff_down(*desired, *observed, *baseline);
    } else {
        if (auto st = refuse_foreign_links(*observed, *desired); !st) return abandon(st.error());
        report.ops = ops::diff_up(*desired, *observed);
    }
    if (report.ops.empty()) {
        if (confirm) (void)discard_pending(paths);
        if (*journal)
            if (auto st = journal_remove(paths); !st) return st.error();
        return report;
    }
    if (mode == Mode::up)
        if (auto st = run_guard(session, *desired, *kernel, options); !st)
            return abandon(st.error());

    if (mode == Mode::up) {
        // Remember the sysctls as they were before vpngw first changed them.
        if (auto st = record_sysctl_baseline(paths, observed->sysctls); !st)
            return abandon(st.error());
    }

    PendingApply pending;
    if (confirm) {
        auto inverse = inverse_ops(report.ops, *observed, paths);
        if (!inverse) return abandon(inverse.error());
        pending = new_pending(session, report.ops.size(), *options.confirm);
        if (auto st = begin_pending(paths, pending, *inverse); !st) return abandon(st.error());
        // Armed before the first change: a CLI killed mid-apply is reverted too.
        auto timer = spawn_revert_timer(paths.dir, pending.deadline, pending.id);
        if (!timer) return abandon(timer.error());
    }

    Journal j;
    j.command = mode == Mode::up ? "up" : "down";
    j.profile = session.options.profile_path;
    if (auto st = journal_begin(paths, j, report.ops); !st) return abandon(st.error());
    std::size_t done = 0;
    Status progress_failure = ok_status();
    auto on_applied = [&](const ops::Op& op) {
        ++done;
        if (confirm) {
            pending.completed = done;
            if (auto st = update_pending(paths, pending); !st && progress_failure)
                progress_failure = st;
        }
        if (auto st = journal_advance(paths, j, done, report.ops); !st && progress_failure)
            progress_failure = st;
        if (options.progress) options.progress(op);
    };
    // From here on only the ops are needed. The desired and observed state
    // hold every peer (a few hundred bytes each) while libnftables, parsing
    // or listing a ruleset with 50,000 peer elements, needs ~50-60 MiB of its
    // own: free them first so the process's peak is not the sum of both.
    release_memory(*desired, *observed);
    exec::ApplyContext ctx{kernel->sock, kernel->backends, session.profile, on_applied,
                           exec::nft_listing_file(paths.dir)};
    auto applied = exec::apply(report.ops, ctx);
    if (!applied) {
        // exec undid what it had applied: nothing is left to confirm or revert.
        (void)journal_remove(paths);
        return abandon(applied.error());
    }
    if (auto st = journal_remove(paths); !st) return st.error();
    if (mode == Mode::down)
        if (auto st = forget_sysctl_baseline(paths); !st) return st.error();
    report.applied = true;
    if (confirm) {
        // The wait starts once everything is applied.
        pending.completed = report.ops.size();
        pending.deadline = now_seconds() + options.confirm->count();
        if (auto st = update_pending(paths, pending); !st) return st.error();
        report.pending = PendingStatus{pending, *options.confirm};
    }
    if (!progress_failure) return progress_failure.error();
    return report;
}

}  // namespace

Result<ChangeReport> plan_up(Session& session, bool consume_peers) {
    if (consume_peers) session.stored = {};  // merged into session.profile already
    auto desired = resolve_desired(session.profile, KeyPolicy::read_only, RulesetText::later);
    if (!desired) return desired.error();
    if (consume_peers) release_peers(session);
    auto kernel = open_kernel(session);
    if (!kernel) return kernel.error();
    auto observed = exec::observe(*desired, kernel->sock, kernel->backends,
                                  exec::nft_listing_file(session.paths.dir));
    if (!observed) return observed.error();
    render_ruleset_if_replaced(session.profile, *desired, *observed);
    if (auto st = refuse_foreign_links(*observed, *desired); !st) return st.error();
    ChangeReport report;
    report.ops = ops::diff_up(*desired, *observed);
    return report;
}

Result<CheckReport> check_up(Session& session, const std::optional<SshConnection>& ssh) {
    auto desired = resolve_desired(session.profile, KeyPolicy::read_only, RulesetText::later);
    if (!desired) return desired.error();
    auto kernel = open_kernel(session);
    if (!kernel) return kernel.error();
    auto observed = exec::observe(*desired, kernel->sock, kernel->backends,
                                  exec::nft_listing_file(session.paths.dir));
    if (!observed) return observed.error();
    render_ruleset_if_replaced(session.profile, *desired, *observed);
    CheckReport report;
    if (auto st = refuse_foreign_links(*observed, *desired); !st)
        report.problems.error(st.error().where, st.error().message);
    report.ops = ops::diff_up(*desired, *observed);

    LiveTables live;
    auto links = netlink::dump_links(kernel->sock);
    if (!links) return links.error();
    live.links = std::move(*links);
    auto addrs = netlink::dump_addresses(kernel->sock);
    if (!addrs) return addrs.error();
    live.addresses = std::move(*addrs);
    auto routes = netlink::dump_routes(kernel->sock, std::nullopt);
    if (!routes) return routes.error();
    live.routes = std::move(*routes);
    auto rules = netlink::dump_rules(kernel->sock, std::nullopt);
    if (!rules) return rules.error();
    live.rules = std::move(*rules);
    check_planned_ops(report.ops, live, report.problems);

    if (ssh || session.profile.firewall.management) {
        GuardKernel g;
        g.addresses = live.addresses;
        for (const auto& r : live.routes)
            if (r.route.table == 254) g.main_routes.push_back(r.route);
        for (const auto& e : check_lockout(session.profile, *desired, ssh, g))
            report.problems.error(e.where, e.message + " (`up --force` would apply it anyway)");
    }
    auto pending = pending_status(session.paths.dir);
    if (!pending) return pending.error();
    if (*pending)
        report.problems.error({}, "an apply is pending confirmation (" +
                                      describe_pending(**pending) + "): `up` would be refused");
    report.problems.sort();
    return report;
}

Result<ChangeReport> up(Session& session, const UpOptions& options) {
    // `up` reads every stored peer anyway: fold the journal of `peer
    // add/remove` into peers.tsv while the lock is held (session.stored
    // already holds the result, so nothing changes but the files).
    if (session.lock)
        if (auto st = store::compact_peers(session.paths); !st) return st.error();
    // Timed and recorded for `vpngw status` / `vpngw metrics`: a monitoring
    // system learns that the last apply failed without reading logs.
    const auto start = std::chrono::steady_clock::now();
    auto report = apply_profile(session, Mode::up, options);
    LastApply record;
    record.finished = now_seconds();
    record.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
    record.ok = report.ok();
    record.changes = report ? report->ops.size() : 0;
    // Losing the record must not turn a good apply into a failed command.
    (void)save_last_apply(session.paths, record);
    return report;
}

Result<ChangeReport> up(Session& session, const Progress& progress) {
    UpOptions options;
    options.progress = progress;
    return up(session, options);
}

Result<ChangeReport> down(Session& session, const Progress& progress) {
    UpOptions options;
    options.progress = progress;
    return apply_profile(session, Mode::down, options);
}

}  // namespace vpngw::gateway
