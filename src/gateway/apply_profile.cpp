#include "gateway/apply_profile.hpp"

#include <malloc.h>

#include <algorithm>
#include <ctime>

#include "exec/apply.hpp"
#include "exec/nft_listing.hpp"
#include "exec/nft_query.hpp"
#include "exec/nft_shortcut.hpp"
#include "exec/observe.hpp"
#include "gateway/desired.hpp"
#include "gateway/noop_proof.hpp"
#include "gateway/userspace_capacity.hpp"
#include "guard/planned_ops.hpp"
#include "netlink/addresses.hpp"
#include "netlink/links.hpp"
#include "netlink/routes.hpp"
#include "netlink/rules.hpp"
#include "ops/diff.hpp"
#include "txn/apply_record.hpp"
#include "txn/last_apply.hpp"

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
// link that looks foreign; its progress record says it is ours, so mark it now.
Status adopt_interrupted_link(const txn::ApplyRecord& record, Kernel& kernel,
                              const model::Profile& profile, ops::Observed& observed,
                              ChangeReport& report) {
    if (!record.interrupted()) return ok_status();
    auto link = txn::link_to_adopt(*record.interrupted(), observed.foreign_links);
    if (!link) return ok_status();
    // Marked through exec like any change, and at once: the diff that
    // follows must see the link as vpngw's.
    const ops::Op mark{ops::LinkMark{*link, state::kLinkAlias, ""}, {}};
    exec::ApplyContext ctx{kernel.sock, kernel.backends, profile, {}, ""};
    if (auto st = exec::apply({mark}, ctx); !st) return st.error();
    report.notes.push_back("interface " + *link +
                           " was created by the interrupted run; marked it as vpngw's");
    auto& foreign = observed.foreign_links;
    foreign.erase(std::find(foreign.begin(), foreign.end(), *link));
    return ok_status();
}

Result<guard::GuardKernel> read_guard_kernel(netlink::NetlinkSocket& sock) {
    guard::GuardKernel k;
    auto addrs = netlink::dump_addresses(sock);
    if (!addrs) return addrs.error();
    k.addresses = std::move(*addrs);
    auto routes = netlink::dump_routes(sock, std::nullopt);
    if (!routes) return routes.error();
    for (auto& r : *routes)
        if (r.route.table == 254) k.main_routes.push_back(std::move(r.route));
    return k;
}

Result<guard::LiveTables> read_live_tables(netlink::NetlinkSocket& sock) {
    guard::LiveTables live;
    auto links = netlink::dump_links(sock);
    if (!links) return links.error();
    for (const auto& l : *links) live.links.push_back(l.link.name);
    auto addrs = netlink::dump_addresses(sock);
    if (!addrs) return addrs.error();
    live.addresses = std::move(*addrs);
    auto routes = netlink::dump_routes(sock, std::nullopt);
    if (!routes) return routes.error();
    for (auto& r : *routes) live.routes.push_back({std::move(r.route), r.protocol});
    auto rules = netlink::dump_rules(sock, std::nullopt);
    if (!rules) return rules.error();
    for (auto& r : *rules) live.rules.push_back({std::move(r.rule), r.protocol});
    return live;
}

Status run_guard(const Session& session, const ops::Desired& desired, Kernel& kernel,
                 const UpOptions& options) {
    if (options.force || (!options.ssh && !session.profile.firewall.management)) return ok_status();
    auto live = read_guard_kernel(kernel.sock);
    if (!live) return live.error();
    auto problems = guard::check_lockout(session.profile, desired, options.ssh, *live);
    if (problems.empty()) return ok_status();
    std::string message = problems.front().message;
    for (std::size_t i = 1; i < problems.size(); ++i) message += "\n  also: " + problems[i].message;
    message += "\nnothing was changed; fix the profile, or pass --force (best with --confirm)";
    return Error{message, problems.front().where};
}

// The nftables shortcut (exec/nft_shortcut.hpp): the record this run would
// leave, read before the kernel is observed so that a commit by anyone while
// it is observed shows as a different generation next time, and whether the
// record already says it. Without a readable generation there is no shortcut.
struct NftShortcutCheck {
    std::optional<exec::NftShortcut> now;
    bool matches = false;
};

NftShortcutCheck check_nft_shortcut(const Session& session, const ops::Desired& desired) {
    NftShortcutCheck c;
    auto now = exec::current_nft_shortcut(exec::nft_desired_digest(desired));
    if (!now) return c;
    c.matches = exec::read_nft_shortcut(session.paths.nft_shortcut_file()) == *now;
    c.now = std::move(*now);
    return c;
}

// After a successful apply the table is as planned: record the generation
// read now, after vpngw's last commit. (A commit by another tool in the
// instant between the two is recorded as if it were vpngw's: the one window
// the shortcut trusts. Any commit after it shows as a new generation.)
void remember_nft_after_apply(const Session& session, std::string desired_digest) {
    const std::string file = session.paths.nft_shortcut_file();
    auto now = exec::current_nft_shortcut(std::move(desired_digest));
    if (!now || !exec::write_nft_shortcut(file, *now)) exec::forget_nft_shortcut(file);
}

// The no-op proof (gateway/noop_proof.hpp): whether the record of the last
// `up` still describes the kernel for these inputs. A kernel that cannot be
// read here is no proof: the full plan reads it again and reports why.
bool proven_noop(const Session& session, const NoopInputs& inputs, Kernel& kernel) {
    auto record = read_noop_record(session.paths);
    if (!record || !record_applies(*record, inputs)) return false;
    auto matches = kernel_matches(*record, kernel.sock, kernel.backends);
    return matches && *matches;
}

// After a successful apply: the plan's record, with the nftables generation
// read now (the window exec/nft_shortcut.hpp describes), once the kernel's
// links, addresses, routes, rules and sysctls are seen to match it (the
// devices are vouched for by the plan's digests, compared when read).
void remember_plan_after_apply(const Session& session, Kernel& kernel, NoopRecord plan) {
    auto now = exec::current_nft_shortcut(plan.nft.desired);
    if (!now) return;
    plan.nft = std::move(*now);
    auto small = small_objects_match(plan, kernel.sock, kernel.backends);
    if (small && *small) write_noop_record(session.paths, plan);
}

std::int64_t now_seconds() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

enum class Mode { up, down };

txn::ApplySettings apply_settings(const Session& session, Mode mode, const UpOptions& options) {
    txn::ApplySettings s;
    s.command = mode == Mode::up ? "up" : "down";
    s.profile = session.options.profile_path;
    if (mode == Mode::up) s.confirm = options.confirm;
    s.wireguard_go = session.options.wireguard_go;
    for (const auto& i : session.profile.interfaces) s.interfaces.emplace_back(i.name, i.backend);
    return s;
}

// Consumes the session's peer lists: `up` and `down` end the command, and at
// 50,000 peers the stored list and the profile's merged peers are ~13 MiB
// each, which the desired and observed state would otherwise sit on top of.
Result<ChangeReport> apply_profile(Session& session, Mode mode, const UpOptions& options) {
    // `up` of a session whose registry peers are not read yet (the CLI's)
    // first tries to prove it has nothing to do (gateway/noop_proof.hpp).
    const bool deferred = mode == Mode::up && session.stored != StoredPeers::merged;
    if (mode == Mode::up && !deferred)
        if (auto st = check_userspace_capacity(session.profile, session.paths.registry_file()); !st)
            return st.error();
    // The record opens before anything in the state directory changes
    // (resolve_desired may generate a key, which a --confirm snapshot precedes).
    txn::ApplyRecord record(session.paths, apply_settings(session, mode, options));
    if (auto st = record.open(); !st) return st.error();
    ChangeReport report;
    if (record.interrupted()) report.interrupted = record.interrupted()->summary();
    auto kernel = open_kernel(session);
    if (!kernel) return kernel.error();

    // Prove, or read the registry's peers: the inputs are fingerprinted
    // before, so a change while they are read shows next time.
    std::optional<NoopInputs> inputs;
    if (deferred) {
        inputs = fingerprint_inputs(session);
        if (inputs && !record.interrupted() && proven_noop(session, *inputs, *kernel)) {
            if (auto st = record.nothing_to_apply(); !st) return st.error();
            report.proven = true;
            return report;
        }
        Diagnostics unseen;
        if (auto st =
                merge_registry_peers(session, options.diagnostics ? *options.diagnostics : unseen);
            !st)
            return st.error();
        if (auto st = check_userspace_capacity(session.profile, session.paths.registry_file()); !st)
            return st.error();
    }

    // Resolve. The ruleset text is rendered only when the table is to be
    // replaced (`down` deletes it and never needs it).
    auto desired = resolve_desired(
        session.profile, mode == Mode::up ? KeyPolicy::generate_missing : KeyPolicy::read_only,
        RulesetText::later);
    if (!desired) return desired.error();
    std::optional<NoopRecord> plan;  // what the next no-op may prove against
    if (inputs) plan = describe_plan(*desired, session.profile.peers, *inputs);
    release_peers(session);  // planned: from here on nothing reads them

    // Observe.
    NftShortcutCheck shortcut;
    if (mode == Mode::up) shortcut = check_nft_shortcut(session, *desired);
    auto observed = exec::observe(*desired, kernel->sock, kernel->backends,
                                  session.paths.nft_listing_file(), shortcut.matches);
    if (!observed) return observed.error();
    if (mode == Mode::up) render_ruleset_if_replaced(session.profile, *desired, *observed);
    if (auto st = adopt_interrupted_link(record, *kernel, session.profile, *observed, report); !st)
        return st.error();

    // Diff.
    if (mode == Mode::down) {
        auto baseline = record.sysctl_baseline();
        if (!baseline) return baseline.error();
        report.ops = ops::diff_down(*desired, *observed, *baseline);
    } else {
        if (auto st = refuse_foreign_links(*observed, *desired); !st) return st.error();
        report.ops = ops::diff_up(*desired, *observed);
    }
    if (report.ops.empty()) {
        if (auto st = record.nothing_to_apply(); !st) return st.error();
        // Observed whole and as planned: later no-ops may skip the table.
        if (shortcut.now && !shortcut.matches)
            (void)exec::write_nft_shortcut(session.paths.nft_shortcut_file(), *shortcut.now);
        // And prove the rest without planning (the generation read before
        // the table was observed).
        if (plan && shortcut.now) {
            plan->nft = *shortcut.now;
            write_noop_record(session.paths, *plan);
        }
        return report;
    }

    // Guard.
    if (mode == Mode::up)
        if (auto st = run_guard(session, *desired, *kernel, options); !st) return st.error();

    // Record, then apply.
    if (auto st = record.begin(report.ops, *observed); !st) return st.error();
    // The old records vouch for a kernel this apply is about to change.
    exec::forget_nft_shortcut(session.paths.nft_shortcut_file());
    forget_noop_record(session.paths);
    const std::string nft_digest = shortcut.now ? shortcut.now->desired : std::string();
    // From here on only the ops are needed. The desired and observed state
    // hold every peer (a few hundred bytes each) while libnftables, parsing
    // or listing a ruleset with 50,000 peer elements, needs ~50-60 MiB of its
    // own: free them first so the process's peak is not the sum of both.
    release_memory(*desired, *observed);
    auto on_applied = [&](const ops::Op& op) {
        record.applied_one();
        if (options.progress) options.progress(op);
    };
    exec::ApplyContext ctx{kernel->sock, kernel->backends, session.profile, on_applied,
                           session.paths.nft_listing_file()};
    // On failure exec undid what it had applied; the record cleans up after it.
    if (auto applied = exec::apply(report.ops, ctx); !applied) return applied.error();
    report.applied = true;
    if (shortcut.now) remember_nft_after_apply(session, nft_digest);
    if (plan && shortcut.now) remember_plan_after_apply(session, *kernel, std::move(*plan));
    if (auto st = record.finish(); !st) return st.error();
    report.pending = record.pending();
    return report;
}

// What `plan` and `up --check` start from: the desired state with no key
// written, and the kernel observed against it (the ruleset text rendered only
// when the table would be replaced). `release` frees the profile's peers
// once planned, before the kernel is read.
struct ReadOnlyView {
    ops::Desired desired;
    Kernel kernel;
    ops::Observed observed;
};

Result<ReadOnlyView> view_without_writing(Session& session, bool release) {
    if (auto st = check_userspace_capacity(session.profile, session.paths.registry_file()); !st)
        return st.error();
    auto desired = resolve_desired(session.profile, KeyPolicy::read_only, RulesetText::later);
    if (!desired) return desired.error();
    if (release) release_peers(session);
    auto kernel = open_kernel(session);
    if (!kernel) return kernel.error();
    auto shortcut = check_nft_shortcut(session, *desired);
    auto observed = exec::observe(*desired, kernel->sock, kernel->backends,
                                  session.paths.nft_listing_file(), shortcut.matches);
    if (!observed) return observed.error();
    render_ruleset_if_replaced(session.profile, *desired, *observed);
    return ReadOnlyView{std::move(*desired), std::move(*kernel), std::move(*observed)};
}

}  // namespace

Result<ChangeReport> plan_up(Session& session, bool consume_peers) {
    auto view = view_without_writing(session, consume_peers);
    if (!view) return view.error();
    if (auto st = refuse_foreign_links(view->observed, view->desired); !st) return st.error();
    ChangeReport report;
    report.ops = ops::diff_up(view->desired, view->observed);
    return report;
}

Result<CheckReport> check_up(Session& session, const std::optional<guard::SshConnection>& ssh) {
    auto view = view_without_writing(session, false);
    if (!view) return view.error();
    CheckReport report;
    if (auto st = refuse_foreign_links(view->observed, view->desired); !st)
        report.problems.error(st.error().where, st.error().message);
    report.ops = ops::diff_up(view->desired, view->observed);

    auto live = read_live_tables(view->kernel.sock);
    if (!live) return live.error();
    guard::check_planned_ops(report.ops, *live, exec::check_nft_batch, report.problems);

    if (ssh || session.profile.firewall.management) {
        guard::GuardKernel g;
        g.addresses = live->addresses;
        for (const auto& r : live->routes)
            if (r.route.table == 254) g.main_routes.push_back(r.route);
        for (const auto& e : guard::check_lockout(session.profile, view->desired, ssh, g))
            report.problems.error(e.where, e.message + " (`up --force` would apply it anyway)");
    }
    auto pending = txn::pending_status(session.paths.dir);
    if (!pending) return pending.error();
    if (*pending)
        report.problems.error({}, "an apply is pending confirmation (" +
                                      txn::describe_pending(**pending) +
                                      "): `up` would be refused");
    report.problems.sort();
    return report;
}

Result<ChangeReport> up(Session& session, const UpOptions& options) {
    // Timed and recorded for `vpngw status` / `vpngw metrics`: a monitoring
    // system learns that the last apply failed without reading logs.
    const auto start = std::chrono::steady_clock::now();
    auto report = apply_profile(session, Mode::up, options);
    txn::LastApply record;
    record.finished = now_seconds();
    record.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
    record.ok = report.ok();
    record.changes = report ? report->ops.size() : 0;
    // The kernel now has the registry whole: changes an interrupted peer
    // command left unsettled are settled by it.
    if (report && session.registry)
        if (auto unsettled = session.registry->unsettled())
            for (const auto& u : *unsettled) (void)session.registry->settle(u.peer);
    // Losing the record must not turn a good apply into a failed command.
    (void)txn::save_last_apply(session.paths, record);
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
