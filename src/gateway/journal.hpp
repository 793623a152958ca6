#pragma once

// <state_dir>/journal: the apply in progress, rewritten atomically after each
// operation. A journal left behind means a vpngw run was killed mid-apply;
// the next `up` (which converges by diff anyway) or `down` (which removes
// owned objects by their marks) reports it, repairs what only the journal
// can tell (a link created but not yet marked as vpngw's), and deletes it.
//
//   command = "up"
//   profile = "/etc/vpngw/office.toml"
//   pid = 4242
//   started = 1714567890
//   completed = 3                      # operations finished
//   ops = ["+ link wg0 ...", ...]      # the plan, as `vpngw plan` prints it
//   in_flight_link = "wg0"             # set while a link-create is running

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ops/op.hpp"
#include "store/state_paths.hpp"
#include "util/result.hpp"

namespace vpngw::gateway {

struct Journal {
    std::string command;  // "up" / "down"
    std::string profile;
    std::int64_t pid = 0;
    std::int64_t started = 0;
    std::size_t completed = 0;
    std::vector<std::string> ops;  // describe() of each planned op
    std::string in_flight_link;    // the link a running link-create is creating

    // The operation that was running when the journal was left, if any.
    std::optional<std::string> interrupted_op() const;
    // "up of /etc/vpngw/x.toml (pid 42) stopped after 3 of 9 operations; next was: + ..."
    std::string summary() const;
};

// Records the start of an apply (completed = 0).
Status journal_begin(const store::StatePaths& paths, Journal& journal,
                     const std::vector<ops::Op>& planned);
// Records that `done` operations completed; the next one, when it is a
// link-create, is noted as in flight.
Status journal_advance(const store::StatePaths& paths, Journal& journal, std::size_t done,
                       const std::vector<ops::Op>& planned);
Result<std::optional<Journal>> journal_load(const store::StatePaths& paths);
Status journal_remove(const store::StatePaths& paths);

}  // namespace vpngw::gateway
