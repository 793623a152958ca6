#pragma once

// Reading back the parts of vpngw's table that `up` compares: the table's
// comment (which carries the hash of the ruleset vpngw applied) and the
// elements of the groups' peer sets. Uses libnftnl directly so observing a
// 50,000-peer gateway does not render and parse the whole ruleset as text.

#include <optional>
#include <string>
#include <vector>

#include "util/ip.hpp"
#include "util/result.hpp"

namespace vpngw::nft {

struct MapElement {
    IpAddress key;
    std::string chain;  // the element's `jump` target; "" for other verdicts
};

// The comment of `table inet vpngw`: nullopt when the table does not exist,
// "" when it has no comment.
Result<std::optional<std::string>> owned_table_comment();

// vpngw's table as the kernel holds it, without the elements of named sets and
// maps and without counter, quota or "last used" values, as canonical text:
// what vpngw defined (chains, rules, set definitions, anonymous sets), not what
// `peer add` or traffic changed since. Its hash tells a rule, chain or set
// edited by hand from vpngw's own table. Dumps only definitions, so it costs
// the same with 50,000 peers as with none. nullopt when the table is absent.
Result<std::optional<std::string>> owned_table_skeleton();

// The elements of a verdict map (or set) of `table inet vpngw` whose keys are
// IP addresses. A missing table or map gives an empty list.
Result<std::vector<MapElement>> list_map_elements(const std::string& map, Family family);

}  // namespace vpngw::nft
