#pragma once

// The one change `vpngw monitor` makes: the elements of the balance maps,
// rewritten when the set of down uplinks changes. The monitor (health/)
// decides and plan/balance.hpp renders; this applies, so health/ links no
// nftables writer.

#include <string>

#include "util/result.hpp"

namespace vpngw::exec {

// Applies plan::render_balance_update's text (flush and refill of the balance
// maps of `table inet vpngw`, nothing else) as one nft transaction; on failure
// nothing changed.
Status write_balance_maps(const std::string& update);

}  // namespace vpngw::exec
