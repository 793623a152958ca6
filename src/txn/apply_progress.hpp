#pragma once

// <state_dir>/apply-in-progress: the apply running now, rewritten atomically
// after each operation. Found by a later run, it means a vpngw process was
// killed mid-apply; the next `up` (which converges by diff anyway) or `down`
// (which removes owned objects by their marks) reports it, repairs what only
// this record can tell (a link created but not yet marked as vpngw's), and
// deletes it.
//
//   command = "up"                     # up | down
//   profile = "/etc/vpngw/office.toml"
//   pid = 4242
//   started = 1714567890
//   completed = 3                      # operations finished, at most len(ops)
//   ops = ["+ link wg0 ...", ...]      # the plan, as `vpngw plan` prints it
//   in_flight_link = "wg0"             # set while a link-create is running
//
// Releases before this one called the file `journal` (next to the peer
// store's peers.journal, a different thing): load_progress renames it, so a
// crash record written by the previous release is still acted on.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ops/op.hpp"
#include "store/state_paths.hpp"
#include "util/result.hpp"

namespace vpngw::txn {

struct ApplyProgress {
    std::string command;  // "up" / "down"
    std::string profile;
    std::int64_t pid = 0;
    std::int64_t started = 0;
    std::size_t completed = 0;
    std::vector<std::string> ops;  // describe() of each planned op
    std::string in_flight_link;    // the link a running link-create is creating

    // The operation that was running when the record was left, if any.
    std::optional<std::string> interrupted_op() const;
    // "up of /etc/vpngw/x.toml (pid 42) was interrupted after 3 of 9 operation(s); next was: + ..."
    std::string summary() const;

    friend bool operator==(const ApplyProgress&, const ApplyProgress&) = default;
};

std::string format_progress(const ApplyProgress& progress);
// An error names `file`, the line and the field (a record vpngw did not
// write, or a foreign file in its place, is refused rather than guessed at).
Result<ApplyProgress> parse_progress(const std::string& text, const std::string& file);

// What an interrupted run left for this one to repair: the link its
// link-create was making, when the kernel has it and it looks foreign
// (created, not yet marked as vpngw's).
std::optional<std::string> link_to_adopt(const ApplyProgress& interrupted,
                                         const std::vector<std::string>& foreign_links);

// Records the start of an apply (completed = 0).
Status begin_progress(const store::StatePaths& paths, ApplyProgress& progress,
                      const std::vector<ops::Op>& planned);
// Records that `done` operations completed; the next one, when it is a
// link-create, is noted as in flight.
Status advance_progress(const store::StatePaths& paths, ApplyProgress& progress, std::size_t done,
                        const std::vector<ops::Op>& planned);
// The record an interrupted run left, or nullopt. Renames a record left
// under the previous release's name first.
Result<std::optional<ApplyProgress>> load_progress(const store::StatePaths& paths);
Status remove_progress(const store::StatePaths& paths);

}  // namespace vpngw::txn
