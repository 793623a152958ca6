#pragma once

// Reading back the parts of vpngw's table that `up` compares: the table's
// comment (which carries the hash of the ruleset vpngw applied) and the
// elements of the groups' peer sets. Uses libnftnl directly so observing a
// 50,000-peer gateway does not render and parse the whole ruleset as text.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "util/ip.hpp"
#include "util/result.hpp"

namespace vpngw::nft {

// The ruleset generation of this network namespace (NFT_MSG_GETGEN): the
// kernel bumps it on every nftables commit, by any tool. Equal values read at
// two moments mean no commit happened in between.
Result<std::uint32_t> generation();

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

// Calls `fn` with each element of a verdict map (or set) of `table inet vpngw`
// whose keys are IP addresses of `family`: its key and its `jump` target (""
// for other verdicts; the view lasts for the call only). A missing table or
// map has no elements. Parses the dump in place: nothing is allocated per
// element, and each message is as large as the kernel makes them (32 KiB),
// because the kernel walks the map from its first element again for every
// message of the dump.
using ElementVisitor = std::function<void(const IpAddress& key, std::string_view chain)>;
Status for_each_map_element(const std::string& map, Family family, const ElementVisitor& fn);

}  // namespace vpngw::nft
