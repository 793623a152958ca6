#pragma once

// Creating `table inet vpngw` where it does not exist, in two steps that
// together cost a fraction of the memory of one: libnftables needs ~50 MiB to
// parse a ruleset whose peer sets hold 50,000 elements, and far less for the
// same table with those sets empty; the elements then go through libnftnl
// batches of bounded size (nft/write/elements.hpp).

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nft/write/elements.hpp"
#include "util/result.hpp"

namespace vpngw::nft {

// A ruleset as plan/ renders it, with the `elements = { ... }` blocks of the
// peer sets (peers4, peers6; plain sets, or verdict maps of jumps) taken out.
struct SplitRuleset {
    std::string base;  // the same ruleset with the peer maps empty
    // The element lines ("\t\t\t10.0.0.2," or "\t\t\t10.0.0.2 : jump grp_staff,"),
    // views into the text given to split_peer_elements.
    struct Block {
        std::string map;
        std::string_view lines;
    };
    std::vector<Block> blocks;
};

// nullopt when the text is not in the rendered form (a listing, a hand-written
// file): such a text is applied as one transaction instead.
std::optional<SplitRuleset> split_peer_elements(std::string_view text);

// Parses the element lines of one block, calling `emit` with up to `chunk`
// changes at a time; stops at the first failure of `emit`. An unparsable line
// is an error.
Status for_each_element_chunk(const SplitRuleset::Block& block, std::size_t chunk,
                              const std::function<Status(std::vector<ElementChange>&)>& emit);

// Creates the table from `text` when it does not exist: the ruleset with its
// peer maps empty (one libnftables transaction), then their elements in
// batches. When the elements fail, the table is deleted again, so a failure
// leaves no table, as before the call. Not for replacing a live table: for a
// moment its peers would have no map entries (see exec/apply.cpp).
Status create_table(const std::string& text, const std::string& source = "vpngw-ruleset");

}  // namespace vpngw::nft
