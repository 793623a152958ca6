#include <set>

#include "model/vrrp_table.hpp"
#include "profile/checks.hpp"

namespace vpngw::profile {

void allocate_uplink_ids(model::Profile& p) {
    std::set<std::uint32_t> tables, marks;
    for (const auto& u : p.uplinks) {
        if (u.table_explicit) tables.insert(u.table);
        if (u.fwmark_explicit) marks.insert(u.fwmark);
    }
    // WireGuard's socket marks share the mark space with the uplinks' marks.
    for (const auto& i : p.interfaces)
        if (i.fwmark != 0) marks.insert(i.fwmark);

    // keepalived's table on a fleet member is never handed out: a profile
    // with a thousand uplinks would otherwise share it without saying so.
    tables.insert(model::kVrrpSourceTable);
    std::uint32_t next_table = 51001, next_mark = 0x51001;
    for (auto& u : p.uplinks) {
        if (!u.table_explicit) {
            while (tables.count(next_table)) ++next_table;
            u.table = next_table++;
        }
        if (!u.fwmark_explicit) {
            while (marks.count(next_mark)) ++next_mark;
            u.fwmark = next_mark++;
        }
    }
}

}  // namespace vpngw::profile
