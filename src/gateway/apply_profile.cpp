#include "gateway/apply_profile.hpp"

#include "exec/apply.hpp"
#include "exec/desired.hpp"
#include "exec/observe.hpp"
#include "gateway/sysctl_baseline.hpp"
#include "ops/diff.hpp"

namespace vpngw::gateway {

namespace {

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

Result<ChangeReport> run(Session& session, exec::KeyPolicy keys, bool apply_it, bool going_down,
                         const Progress& progress) {
    auto desired = exec::resolve_desired(session.profile, keys);
    if (!desired) return desired.error();
    auto kernel = open_kernel(session);
    if (!kernel) return kernel.error();
    auto observed = exec::observe(*desired, kernel->sock, kernel->backends);
    if (!observed) return observed.error();

    ChangeReport report;
    if (going_down) {
        auto baseline = load_sysctl_baseline(session.paths);
        if (!baseline) return baseline.error();
        report.ops = ops::diff_down(*desired, *observed, *baseline);
    } else {
        if (auto st = refuse_foreign_links(*observed, *desired); !st) return st.error();
        report.ops = ops::diff_up(*desired, *observed);
    }
    if (!apply_it || report.ops.empty()) return report;

    if (!going_down) {
        // Remember the sysctls as they were before vpngw first changed them.
        if (auto st = record_sysctl_baseline(session.paths, observed->sysctls); !st)
            return st.error();
    }
    exec::ApplyContext ctx{kernel->sock, kernel->backends, session.profile, progress};
    auto applied = exec::apply(report.ops, ctx);
    if (!applied) return applied.error();
    if (going_down)
        if (auto st = forget_sysctl_baseline(session.paths); !st) return st.error();
    report.applied = true;
    return report;
}

}  // namespace

Result<ChangeReport> plan_up(Session& session) {
    return run(session, exec::KeyPolicy::read_only, false, false, {});
}

Result<ChangeReport> up(Session& session, const Progress& progress) {
    return run(session, exec::KeyPolicy::generate_missing, true, false, progress);
}

Result<ChangeReport> down(Session& session, const Progress& progress) {
    return run(session, exec::KeyPolicy::read_only, true, true, progress);
}

}  // namespace vpngw::gateway
