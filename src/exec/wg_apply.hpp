#pragma once

#include "ops/op.hpp"
#include "util/result.hpp"
#include "wg/write/backend.hpp"

namespace vpngw::exec {

// Applies a WireGuard change: reads the private and preshared key files,
// sends only what changes, and sets `undo` to the change that restores the
// peers, port and mark the device had before (the previous private key cannot
// be read back; a device vpngw just created is undone by deleting it).
Status apply_wg_change(wg::WgBackend& backend, const ops::WgChange& change, ops::Op& undo);

}  // namespace vpngw::exec
