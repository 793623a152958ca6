#pragma once

// The fingerprint of `table inet vpngw` as the kernel lists it, kept in the
// state directory. The table's comment carries the hash of the ruleset vpngw
// rendered, but a rule inserted or deleted by hand inside the table leaves the
// comment as it was; comparing the kernel's own definition of the table
// (without peer elements and counter values) with the one recorded after vpngw
// last replaced the table catches that.

#include <optional>
#include <string>

#include "util/result.hpp"

namespace vpngw::exec {

// A hex digest of nft::owned_table_skeleton() (the table without peer
// elements and counter values); nullopt when the table does not exist.
Result<std::optional<std::string>> live_nft_fingerprint();

// After vpngw replaced (or deleted) the table: records the live fingerprint in
// `file`, or removes `file` when the table is gone.
Status record_nft_fingerprint(const std::string& file);

}  // namespace vpngw::exec
