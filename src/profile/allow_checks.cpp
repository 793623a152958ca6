#include <string>
#include <vector>

#include "profile/checks.hpp"
#include "profile/quote.hpp"

namespace vpngw::profile {
namespace {

using model::AllowEntry;
using Kind = AllowEntry::Kind;

const std::optional<Prefix>& subnet_of(const model::Group& g, Family f) {
    return f == Family::v4 ? g.subnet : g.subnet6;
}

const char* kind_word(const model::Group& g) {
    return g.is_network() ? "network" : "group";
}

// Whether the entry's target holds every address of `subnet` (group "self"
// names the group the subnet belongs to).
bool covers(const AllowEntry& e, const Prefix& subnet, const std::string& owner) {
    switch (e.kind) {
        case Kind::any:
            return true;
        case Kind::prefix:
            return e.prefix.contains(subnet);
        case Kind::group:
            return e.group == owner;
        case Kind::internet:
            return false;  // never a vpngw subnet, by definition
    }
    return false;
}

bool overlaps(const AllowEntry& e, const Prefix& subnet, const std::string& owner) {
    return e.kind == Kind::prefix ? e.prefix.overlaps(subnet) : covers(e, subnet, owner);
}

// Another group `h` counts as meant when the list names it (`group:h`), and
// as kept out when an exclusion for all protocols covers its subnet.
bool named(const model::Group& g, const model::Group& h) {
    for (const auto& e : g.allow)
        if (!e.exclude && e.kind == Kind::group && e.group == h.name) return true;
    return false;
}

bool excluded(const model::Group& g, const model::Group& h, Family f) {
    for (const auto& e : g.allow)
        if (e.exclude && e.proto == model::Proto::any && covers(e, *subnet_of(h, f), h.name))
            return true;
    return false;
}

// isolate = true says "keep clients apart"; an inclusion that reaches other
// groups wholesale (0.0.0.0/0, "any") or the group's own subnet works against
// it, so say what it really does and how to write what was probably meant.
void check_isolated(Context& ctx, const model::Profile& p, const model::Group& g) {
    for (const auto& e : g.allow) {
        if (e.exclude || e.kind == Kind::internet) continue;
        for (Family f : {Family::v4, Family::v6}) {
            const auto& own = subnet_of(g, f);
            const bool wholesale =
                e.kind == Kind::any || (e.kind == Kind::prefix && e.prefix.len == 0);
            if (own && !wholesale && overlaps(e, *own, g.name))
                ctx.warning(e.where, "allow entry " + quoted(e.text) + " of " + kind_word(g) + " " +
                                         quoted(g.name) + " covers its own subnet " + own->str() +
                                         ": isolate = true wins, so its clients still cannot "
                                         "reach each other");
        }
        std::string others;
        for (const auto& h : p.groups) {
            if (&h == &g || named(g, h)) continue;
            bool reached = false;
            for (Family f : {Family::v4, Family::v6})
                if (subnet_of(h, f) && (e.kind != Kind::prefix || e.prefix.family() == f) &&
                    overlaps(e, *subnet_of(h, f), h.name) && !excluded(g, h, f))
                    reached = true;
            if (reached) others += (others.empty() ? "group:" : ", group:") + h.name;
        }
        if (others.empty()) continue;
        ctx.warning(e.where,
                    "allow entry " + quoted(e.text) + " of isolated " + kind_word(g) + " " +
                        quoted(g.name) + " includes " + escape_controls(others) +
                        ": isolate = true only keeps the " + kind_word(g) +
                        "'s own clients apart; write \"internet\" to reach only the internet, "
                        "or exclude them with \"!group:NAME\"");
    }
}

}  // namespace

void check_allow_lists(Context& ctx, const model::Profile& p) {
    for (const auto& g : p.groups)
        if (g.isolate) check_isolated(ctx, p, g);
}

}  // namespace vpngw::profile
