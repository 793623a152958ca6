#pragma once

// Per-peer firewall state without re-applying the table: adding or removing
// an element of a set or map (or a peer's quota and limit objects) in
// `table inet vpngw` is one small nfnetlink batch built with libnftnl (no
// ruleset cache fetch, no text parsing), so it costs the same with 10 peers
// or 50,000. Only exec/ includes this.

#include <string>
#include <vector>

#include "nft/element_change.hpp"
#include "util/result.hpp"

namespace vpngw::nft {

// Applies all changes as one transaction: all or nothing. Adding an element
// that exists is not an error; removing one that does not is.
Status apply_element_changes(const std::vector<ElementChange>& changes);

// Objects and elements as one transaction: the objects added go in before
// the elements (which may name them), the objects removed after them. The
// same netlink batch as above: `nft` with a table of 50,000 quota and limit
// objects would fetch them all into its cache for every `add element`
// (seconds), this costs the same at any size.
Status apply_changes(const std::vector<ObjectChange>& objects,
                     const std::vector<ElementChange>& elements);

// add element inet vpngw MAP { KEY : jump CHAIN }
Status add_map_element(const std::string& map, const IpAddress& key, const std::string& chain);
// delete element inet vpngw MAP { KEY }
Status delete_map_element(const std::string& map, const IpAddress& key);
Status add_set_element(const std::string& set, const IpAddress& key);
Status delete_set_element(const std::string& set, const IpAddress& key);

}  // namespace vpngw::nft
