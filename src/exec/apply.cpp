#include "exec/apply.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "exec/nft_listing.hpp"
#include "exec/wg_apply.hpp"
#include "netlink/write/addresses.hpp"
#include "netlink/write/links.hpp"
#include "netlink/write/routes.hpp"
#include "netlink/write/rules.hpp"
#include "netlink/write/sysctl.hpp"
#include "nft/ruleset.hpp"
#include "nft/write/elements.hpp"
#include "nft/write/new_table.hpp"
#include "nft/write/ruleset.hpp"
#include "ops/diff.hpp"

namespace vpngw::exec {

namespace {

// VPNGW_FAIL_AT=<kind>[:N]: the test hook that fails the N-th op of a kind.
class FaultInjector {
  public:
    FaultInjector() {
        const char* spec = std::getenv("VPNGW_FAIL_AT");
        if (!spec || !*spec) return;
        std::string s(spec);
        auto colon = s.find(':');
        kind_ = s.substr(0, colon);
        if (colon != std::string::npos) nth_ = std::atoi(s.c_str() + colon + 1);
        if (nth_ < 1) nth_ = 1;
    }
    bool should_fail(const ops::Op& op) {
        if (kind_.empty() || kind_ != op.kind()) return false;
        return ++seen_ == nth_;
    }

  private:
    std::string kind_;
    int nth_ = 1;
    int seen_ = 0;
};

// VPNGW_OP_DELAY_MS=<ms>: the test hook that stretches an apply, so a test can
// kill it between two operations however fast the machine is.
std::chrono::milliseconds op_delay() {
    const char* spec = std::getenv("VPNGW_OP_DELAY_MS");
    return std::chrono::milliseconds(spec ? std::atoi(spec) : 0);
}

// VPNGW_KILL_AFTER=<n>: the test hook that SIGKILLs the process once n ops
// are applied (and journaled), before the next one: a crash at a chosen
// point, so a test can stop an apply at every point in turn.
std::optional<std::size_t> kill_after() {
    const char* spec = std::getenv("VPNGW_KILL_AFTER");
    if (!spec || !*spec) return std::nullopt;
    return static_cast<std::size_t>(std::strtoull(spec, nullptr, 10));
}

model::Backend backend_of(const model::Profile& profile, const std::string& ifname) {
    const auto* iface = profile.find_interface(ifname);
    return iface ? iface->backend : model::Backend::automatic;
}

Status create_link(ApplyContext& ctx, const ops::LinkCreate& op) {
    // Bridges of [[network]] tables: plain rtnetlink, no WireGuard backend.
    if (op.link.kind != "wireguard")
        return netlink::create_link(ctx.sock, op.link, state::kLinkAlias);
    auto& backend = ctx.backends.for_interface(op.link.name, op.backend);
    if (auto st = backend.create(op.link.name); !st) return st;
    if (auto st = netlink::set_link_alias(ctx.sock, op.link.name, state::kLinkAlias); !st)
        return st;
    if (auto st = netlink::set_link_mtu(ctx.sock, op.link.name, op.link.mtu); !st) return st;
    return netlink::set_link_up(ctx.sock, op.link.name, op.link.up);
}

Status delete_link(ApplyContext& ctx, const ops::LinkDelete& op) {
    if (!op.link.kind.empty() && op.link.kind != "wireguard")
        return netlink::delete_link(ctx.sock, op.link.name, op.link.origin);
    auto& backend = ctx.backends.for_interface(op.link.name, backend_of(ctx.profile, op.link.name));
    return backend.destroy(op.link.name);
}

Status set_link(ApplyContext& ctx, const ops::LinkSet& op) {
    if (op.before.mtu != op.link.mtu)
        if (auto st = netlink::set_link_mtu(ctx.sock, op.link.name, op.link.mtu); !st) return st;
    if (op.before.up != op.link.up) return netlink::set_link_up(ctx.sock, op.link.name, op.link.up);
    return ok_status();
}

std::vector<nft::ElementChange> element_changes(const std::vector<ops::NftElement>& elements,
                                                nft::ElementChange::Op what) {
    std::vector<nft::ElementChange> changes;
    changes.reserve(elements.size());
    for (const auto& e : elements) changes.push_back({what, e.map, e.key, {}});
    return changes;
}

// Replaces (or, with empty text, deletes) `table inet vpngw`; on success
// `undo` puts back the table as it was.
Status replace_table(const ops::NftReplace& p, const Location& origin, ops::Op& undo,
                     bool later_ops) {
    auto exists = nft::table_exists();
    if (!exists) return exists.error();
    if (!*exists) {
        undo = {ops::NftReplace{}, origin};  // deleting the table undoes it
        // A new table: its peer elements go through libnftnl batches after
        // the rules (nft/write/new_table.hpp), ~50 MiB less at 50,000 peers than
        // one libnftables transaction. Nothing can use the table before it
        // exists, and forwarding is enabled by the sysctl ops after this one.
        return p.text.empty() ? ok_status() : nft::create_table(p.text);
    }
    // Keep the table as it is now so a later failure can put it back. The
    // listing (all peer elements as text: ~60 MiB in libnftables at 50,000
    // peers) is only taken when a later op could fail and need it.
    std::string restore;
    if (later_ops) {
        auto before = nft::list_owned_table();
        if (!before) return before.error();
        if (*before) restore = "table inet vpngw\ndelete table inet vpngw\n" + **before;
    }
    undo = {ops::NftReplace{std::move(restore), {}}, origin};
    // A live table is replaced in one transaction, peer elements included:
    // in two steps its peers would be dropped, between the rules and their
    // map entries, for as long as loading 50,000 elements takes.
    return p.text.empty() ? nft::delete_owned_table() : nft::apply_ruleset(p.text);
}

// Runs one op; on success stores in `undo` what reverses it (for a route
// taken over from another owner, handing it back rather than deleting it).
// `later_ops`: whether any op follows, whose failure would need `undo`.
Status run(ApplyContext& ctx, const ops::Op& op, ops::Op& undo, bool later_ops) {
    // WireGuard and table changes take their undo from what they find in the
    // kernel; the inverse of a WireGuard change would copy all its peers.
    if (std::holds_alternative<ops::WgChange>(op.payload) ||
        std::holds_alternative<ops::NftReplace>(op.payload))
        undo = {ops::NftReplace{}, op.origin};
    else
        undo = ops::inverse(op);
    return std::visit(
        [&](const auto& p) -> Status {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, ops::LinkCreate>) {
                return create_link(ctx, p);
            } else if constexpr (std::is_same_v<T, ops::LinkDelete>) {
                return delete_link(ctx, p);
            } else if constexpr (std::is_same_v<T, ops::LinkSet>) {
                return set_link(ctx, p);
            } else if constexpr (std::is_same_v<T, ops::WgChange>) {
                auto& backend =
                    ctx.backends.for_interface(p.ifname, backend_of(ctx.profile, p.ifname));
                return apply_wg_change(backend, p, undo);
            } else if constexpr (std::is_same_v<T, ops::AddressAdd>) {
                return netlink::add_address(ctx.sock, p.address);
            } else if constexpr (std::is_same_v<T, ops::AddressDelete>) {
                return netlink::delete_address(ctx.sock, p.address);
            } else if constexpr (std::is_same_v<T, ops::RouteAdd>) {
                auto adopted = netlink::add_or_adopt_route(ctx.sock, p.route);
                if (!adopted) return adopted.error();
                std::get<ops::RouteDelete>(undo.payload).hand_back_to = *adopted;
                return ok_status();
            } else if constexpr (std::is_same_v<T, ops::RouteDelete>) {
                if (p.hand_back_to)
                    return netlink::hand_back_route(ctx.sock, p.route, *p.hand_back_to);
                return netlink::delete_route(ctx.sock, p.route);
            } else if constexpr (std::is_same_v<T, ops::RuleAdd>) {
                return netlink::add_rule(ctx.sock, p.rule);
            } else if constexpr (std::is_same_v<T, ops::RuleDelete>) {
                return netlink::delete_rule(ctx.sock, p.rule);
            } else if constexpr (std::is_same_v<T, ops::SysctlSet>) {
                return netlink::write_sysctl(p.sysctl.key, p.sysctl.value);
            } else if constexpr (std::is_same_v<T, ops::NftReplace>) {
                return replace_table(p, op.origin, undo, later_ops);
            } else if constexpr (std::is_same_v<T, ops::NftElementsAdd>) {
                return nft::apply_element_changes(
                    element_changes(p.elements, nft::ElementChange::Op::add));
            } else if constexpr (std::is_same_v<T, ops::LinkMark>) {
                return netlink::set_link_alias(ctx.sock, p.name, p.alias, op.origin);
            } else {
                static_assert(std::is_same_v<T, ops::NftElementsDelete>);
                return nft::apply_element_changes(
                    element_changes(p.elements, nft::ElementChange::Op::remove));
            }
        },
        op.payload);
}

Status run_undo(ApplyContext& ctx, const ops::Op& undo) {
    ops::Op ignored;
    return run(ctx, undo, ignored, false);
}

// Recorded once the whole apply succeeded, never per op: a rollback puts the
// old table back and leaves the old record, which still describes it, and a
// crash between the replace and this leaves a record that no longer matches,
// which the next `up` repairs by replacing the table again.
void record_fingerprint(const std::vector<ops::Op>& ops, const ApplyContext& ctx) {
    if (ctx.nft_listing_file.empty()) return;
    bool replaced = std::any_of(ops.begin(), ops.end(), [](const ops::Op& op) {
        return std::holds_alternative<ops::NftReplace>(op.payload);
    });
    if (!replaced) return;
    // The kernel already has the new table, so failing the command here would
    // misreport it; without a record, drift falls back to the comment hash.
    if (!record_nft_fingerprint(ctx.nft_listing_file)) ::unlink(ctx.nft_listing_file.c_str());
}

std::string first_line(const std::string& s) {
    return s.substr(0, s.find('\n'));
}

}  // namespace

Result<ApplyReport> apply(const std::vector<ops::Op>& ops, ApplyContext& ctx) {
    FaultInjector faults;
    const auto delay = op_delay();
    const auto kill_point = kill_after();
    std::vector<ops::Op> undo_stack;
    undo_stack.reserve(ops.size());
    for (std::size_t i = 0; i < ops.size(); ++i) {
        if (kill_point == i) ::raise(SIGKILL);
        const ops::Op& op = ops[i];
        const bool later_ops = i + 1 < ops.size();
        ops::Op undo{ops::NftReplace{}, op.origin};
        Status st = faults.should_fail(op)
                        ? Status(Error{"injected failure (VPNGW_FAIL_AT)", op.origin})
                        : run(ctx, op, undo, later_ops);
        if (!st) {
            std::size_t undone = 0, failed = 0;
            for (auto it = undo_stack.rbegin(); it != undo_stack.rend(); ++it) {
                if (run_undo(ctx, *it))
                    ++undone;
                else
                    ++failed;
            }
            // rtnetlink errors already name their object ("adding route ...").
            bool named = std::holds_alternative<ops::RouteAdd>(op.payload) ||
                         std::holds_alternative<ops::RouteDelete>(op.payload) ||
                         std::holds_alternative<ops::RuleAdd>(op.payload) ||
                         std::holds_alternative<ops::RuleDelete>(op.payload) ||
                         std::holds_alternative<ops::AddressAdd>(op.payload) ||
                         std::holds_alternative<ops::AddressDelete>(op.payload);
            std::string message = (named ? "" : first_line(op.describe()) + ": ") +
                                  st.error().message + "; rolled back " + std::to_string(undone) +
                                  " of " + std::to_string(undo_stack.size()) +
                                  " applied operation(s)";
            if (failed) message += " (" + std::to_string(failed) + " could not be undone)";
            Location where = op.origin.known() ? op.origin : st.error().where;
            return Error{message, where};
        }
        if (later_ops) undo_stack.push_back(std::move(undo));  // else nothing can need it
        if (ctx.on_applied) ctx.on_applied(op);
        if (delay.count() > 0) std::this_thread::sleep_for(delay);
    }
    record_fingerprint(ops, ctx);
    return ApplyReport{ops.size()};
}

}  // namespace vpngw::exec
